"""The audit log moves from ``credit_records`` to its own app without moving a row: this
migration only tells Django's state that the model now lives here, on the same table
(``credit_records_auditentry``); ``credit_records`` 0005 forgets it on its side."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("credit_records", "0004_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("actor_repr", models.CharField(blank=True, max_length=150, verbose_name="操作人")),
                        ("action", models.CharField(db_index=True, max_length=64, verbose_name="操作")),
                        ("object_type", models.CharField(db_index=True, max_length=64, verbose_name="对象类型")),
                        ("object_id", models.CharField(blank=True, db_index=True, max_length=64, verbose_name="对象编号")),
                        ("object_repr", models.CharField(blank=True, max_length=300, verbose_name="对象")),
                        ("jurisdiction_path", models.CharField(blank=True, db_index=True, max_length=400, verbose_name="辖区路径")),
                        ("before", models.JSONField(blank=True, null=True, verbose_name="变更前")),
                        ("after", models.JSONField(blank=True, null=True, verbose_name="变更后")),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="来源地址")),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                    ],
                    options={
                        "verbose_name": "审计日志",
                        "verbose_name_plural": "审计日志",
                        "ordering": ["-at", "-id"],
                        "db_table": "credit_records_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
