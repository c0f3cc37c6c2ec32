"""On PostgreSQL the database itself refuses UPDATE and DELETE on the ledger, its attachments
and the audit log (seed 000 第七条: 不得篡改…或者违规删除), so even raw SQL fails. The ledger head
may be updated (it moves with every append) but never deleted.

Row-level triggers do not fire on TRUNCATE, so the test framework's flush still works. To prove
``verify_ledger`` detects tampering, a test switches a trigger off inside its own transaction
(``ALTER TABLE … DISABLE TRIGGER …``), which rolls back with it.
"""

from django.db import migrations

TABLES = {
    "credit_records_creditrecord": "UPDATE OR DELETE",
    "credit_records_attachment": "UPDATE OR DELETE",
    "credit_records_auditentry": "UPDATE OR DELETE",
    "credit_records_ledgerhead": "DELETE",
}

FUNCTION = """
CREATE OR REPLACE FUNCTION credit_records_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only (credit_records)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, events in TABLES.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION credit_records_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS credit_records_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("credit_records", "0003_ledger_chain_attachments")]
    operations = [migrations.RunPython(forwards, backwards)]
