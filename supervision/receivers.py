"""Receivers of lower apps' signals."""


def on_record_changed(sender, employer_id=None, record=None, action="", **kwargs):
    """A patrol inspection entered in the ledger closes the employer's open patrol task; a
    correction or void of it follows (see ``services.on_patrol_record``)."""
    from .services import on_patrol_record

    on_patrol_record(record=record, action=action)
