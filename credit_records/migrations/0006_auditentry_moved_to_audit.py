"""The audit log now lives in the ``audit`` app (same table, see ``audit`` 0001): remove the
model from this app's state only; the table and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0005_r2_mitigation_repair"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
