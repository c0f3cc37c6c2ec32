"""The audit log gets a keyed hash chain (``audit.chain``), a head, and PostgreSQL refuses
TRUNCATE on it.

Entries written before this migration have no stored hashes (``chain_version`` 0). The
migration computes the keyed chain over them once, in id order, and seals its end in the head
(``legacy_*`` and ``seal``); the first new entry links to that end. Verification recomputes the
same chain over the old entries, so they are covered from now on as if they had been chained
when written (what was done to them before this migration cannot be known). The key
(``LEDGER_HMAC_KEY``) must therefore be set before ``migrate`` runs (production settings insist).
"""

import django.utils.timezone
from django.db import migrations, models

TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION labor_credit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    -- The test suite's flush between transactional tests sets this for its own connections
    -- (config/settings/test.py). An application role never has TRUNCATE (README), and the
    -- owner, who could set it or drop the trigger, is caught by the checkpoints.
    IF coalesce(current_setting('labor_credit.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE on % refused: the table is append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRUNCATE_TABLES = ["credit_records_auditentry", "audit_audithead"]


def seal_legacy_entries(apps, schema_editor):
    from audit.chain import GENESIS, Hasher, seal
    from audit.services import AUDIT_HASHED_FIELDS, audit_payload

    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    hasher = Hasher()
    prev, count, last_id = GENESIS, 0, 0
    rows = (
        AuditEntry.objects.using(db)
        .order_by("pk")
        .values_list("pk", *AUDIT_HASHED_FIELDS)
        .iterator(chunk_size=5000)
    )
    for pk, *values in rows:
        prev = hasher.keyed(prev, audit_payload(dict(zip(AUDIT_HASHED_FIELDS, values, strict=True))))
        count += 1
        last_id = pk
    AuditHead.objects.using(db).update_or_create(
        pk=1,
        defaults={
            "last_id": last_id,
            "last_hash": prev,
            "length": count,
            "legacy_length": count,
            "legacy_last_id": last_id,
            "legacy_last_hash": prev,
            "seal": seal("audit", length=count, last_id=last_id, last_hash=prev, hasher=hasher),
        },
    )


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRUNCATE_FUNCTION, params=None)
    for table in TRUNCATE_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION labor_credit_refuse_truncate()"
        )
    # The head moves with every entry but is never deleted (credit_records 0004's function).
    schema_editor.execute(
        "CREATE TRIGGER audit_audithead_append_only BEFORE DELETE ON audit_audithead "
        "FOR EACH ROW EXECUTE FUNCTION credit_records_refuse_change()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_audithead_append_only ON audit_audithead")
    for table in TRUNCATE_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("credit_records", "0006_auditentry_moved_to_audit"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_id", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default="", max_length=64)),
                ("length", models.BigIntegerField(default=0)),
                ("legacy_length", models.BigIntegerField(default=0)),
                ("legacy_last_id", models.BigIntegerField(default=0)),
                ("legacy_last_hash", models.CharField(default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64)),
                ("seal", models.CharField(default="", max_length=64)),
            ],
            options={
                "verbose_name": "审计日志链头",
                "verbose_name_plural": "审计日志链头",
            },
        ),
        # Existing entries are version 0 (unchained); the model's default for new ones is 2.
        migrations.AddField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=2, editable=False, verbose_name="哈希版本"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="本条哈希"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="上一条哈希"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.RunPython(seal_legacy_entries, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]
