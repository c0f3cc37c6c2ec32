"""The published sequence's counter row, and numbers for what was published before this app
existed: results by publication time, adjustments by the time they were recorded, merged in time
order (SPEC §12: gap-free, in the order published)."""

from django.db import migrations


def number_the_past(apps, schema_editor):
    SequenceCounter = apps.get_model("exchange", "SequenceCounter")
    PublishedItem = apps.get_model("exchange", "PublishedItem")
    PublishedResult = apps.get_model("publication", "PublishedResult")
    PublishedAdjustment = apps.get_model("publication", "PublishedAdjustment")

    counter, _ = SequenceCounter.objects.get_or_create(name="published", defaults={"last": 0})
    if PublishedItem.objects.exists():
        return
    events = [
        (r["published_at"], 0, r["id"], r["id"], None, r["cycle__jurisdiction__path"], r["uscc"])
        for r in PublishedResult.objects.values(
            "id", "published_at", "uscc", "cycle__jurisdiction__path"
        ).iterator(chunk_size=5000)
    ]
    events += [
        (
            a["created_at"],
            1,
            a["id"],
            a["result_id"],
            a["id"],
            a["result__cycle__jurisdiction__path"],
            a["result__uscc"],
        )
        for a in PublishedAdjustment.objects.values(
            "id",
            "created_at",
            "result_id",
            "result__uscc",
            "result__cycle__jurisdiction__path",
        ).iterator(chunk_size=5000)
    ]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    batch = []
    for seq, (_at, kind, _id, result_id, adjustment_id, path, uscc) in enumerate(events, start=1):
        batch.append(
            PublishedItem(
                seq=seq,
                kind="adjustment" if kind else "result",
                result_id=result_id,
                adjustment_id=adjustment_id,
                jurisdiction_path=path,
                uscc=uscc,
            )
        )
        if len(batch) >= 5000:
            PublishedItem.objects.bulk_create(batch)
            batch = []
    PublishedItem.objects.bulk_create(batch)
    counter.last = len(events)
    counter.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0001_initial"),
        ("publication", "0003_append_only_triggers"),
    ]

    operations = [migrations.RunPython(number_the_past, migrations.RunPython.noop)]
