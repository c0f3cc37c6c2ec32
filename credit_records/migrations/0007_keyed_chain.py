"""The ledger's chain becomes keyed (HMAC-SHA256 with ``LEDGER_HMAC_KEY``, ``audit.chain``),
and PostgreSQL refuses TRUNCATE on the ledger, its attachments and its head.

Migration path for the entries written before: they keep their unkeyed SHA-256 hashes and get
``chain_version`` 1; nothing is rewritten. The head's current end (length, last id, last hash)
is sealed with the key (``legacy_*`` and ``seal``), and every new entry (version 2) links on from
it. From then on an entry with an unkeyed hash is accepted only inside that sealed prefix: a
rewritten old entry breaks the link to the first keyed entry and the seal, and nobody can append
or rewrite an entry with an unkeyed hash after it. Run ``manage.py verify_ledger`` before
upgrading: the seal fixes the ledger as it is when the migration runs.
"""

from django.db import migrations, models

TRUNCATE_TABLES = [
    "credit_records_creditrecord",
    "credit_records_attachment",
    "credit_records_ledgerhead",
]


def seal_legacy_entries(apps, schema_editor):
    from audit.chain import GENESIS, seal

    LedgerHead = apps.get_model("credit_records", "LedgerHead")
    db = schema_editor.connection.alias
    head, _created = LedgerHead.objects.using(db).get_or_create(pk=1)
    last_hash = head.last_hash or GENESIS
    LedgerHead.objects.using(db).filter(pk=1).update(
        legacy_length=head.length,
        legacy_last_id=head.last_id,
        legacy_last_hash=last_hash,
        seal=seal("ledger", length=head.length, last_id=head.last_id, last_hash=last_hash),
    )


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRUNCATE_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION labor_credit_refuse_truncate()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRUNCATE_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0006_auditentry_moved_to_audit"),
        ("audit", "0002_keyed_chain"),
    ]

    operations = [
        # Existing entries are version 1 (unkeyed SHA-256); the model's default for new ones is 2.
        migrations.AddField(
            model_name="creditrecord",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=1, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AlterField(
            model_name="creditrecord",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=2, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AddField(
            model_name="ledgerhead",
            name="legacy_last_hash",
            field=models.CharField(default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64),
        ),
        migrations.AddField(
            model_name="ledgerhead",
            name="legacy_last_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="ledgerhead",
            name="legacy_length",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="ledgerhead",
            name="seal",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(seal_legacy_entries, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]
