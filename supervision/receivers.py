"""Receivers of lower apps' signals."""


def on_record_changed(sender, employer_id=None, record=None, action="", **kwargs):
    """A patrol inspection entered in the ledger closes the employer's open patrol task; a
    correction or void of it follows (see ``services.on_patrol_record``)."""
    from .services import on_patrol_record

    on_patrol_record(record=record, action=action)


def on_records_imported(sender, *, first_id, last_id, **kwargs):
    """A records file was imported (one signal for the whole file): each patrol inspection in it
    closes its employer's open patrol task, as one entered on the employer page does."""
    from .services import on_patrol_records_imported

    on_patrol_records_imported(first_id=first_id, last_id=last_id)
