"""Reference data: the four jurisdictions of SPEC §2 with a few streets each, so `migrate` on an
empty database is enough for the import commands to work. Demo employers come only from
`seed_demo`."""

from django.db import migrations

from employers.reference import ensure_jurisdictions


def load(apps, schema_editor):
    ensure_jurisdictions(apps.get_model("employers", "Jurisdiction"))


class Migration(migrations.Migration):
    dependencies = [("employers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
