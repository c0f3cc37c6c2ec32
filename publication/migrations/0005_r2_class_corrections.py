"""SPEC §3 [r2]: the information classes are read as seed 004 第五条 lists them. Every effective
record whose class the new reading changes gets its corrected class pushed to the shared credit
platform once (``publication.dishonesty.push_class_corrections``; a migration runs once, and the
function skips what it has queued already). The drain task sends the messages."""

from django.db import migrations


def push(apps, schema_editor):
    from publication.dishonesty import push_class_corrections

    push_class_corrections(
        CreditRecord=apps.get_model("credit_records", "CreditRecord"),
        Employer=apps.get_model("employers", "Employer"),
        OutboxMessage=apps.get_model("publication", "OutboxMessage"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0004_r2_notices"),
        ("credit_records", "0005_r2_mitigation_repair"),
    ]
    operations = [migrations.RunPython(push, migrations.RunPython.noop)]
