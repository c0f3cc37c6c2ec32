"""python manage.py db_grants ROLE

Prints the SQL that gives the application's database role what it needs and no more (README,
"Database roles"): the migrations run as the owner of the tables; the application connects as
ROLE, which owns nothing, so it cannot switch the append-only triggers off, and which has on the
ledger, its evidence files and the audit log only SELECT and INSERT — no UPDATE, DELETE or
TRUNCATE. Each model says what it allows (``DB_PRIVILEGES``); the default is plain DML.
Run the output as the owner after every ``migrate`` that adds tables.
"""

import re

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

DEFAULT_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grants(role: str) -> list[str]:
    quote = connection.ops.quote_name
    statements = [f"GRANT USAGE ON SCHEMA public TO {quote(role)};"]
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        tables[meta.db_table] = getattr(model, "DB_PRIVILEGES", DEFAULT_PRIVILEGES)
    for table, privileges in sorted(tables.items()):
        statements.append(f"REVOKE ALL ON TABLE {quote(table)} FROM {quote(role)};")
        statements.append(f"GRANT {privileges} ON TABLE {quote(table)} TO {quote(role)};")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)};")
    return statements


class Command(BaseCommand):
    help = "打印应用数据库角色的授权 SQL（账本和审计日志只能查询和追加）"

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用连接数据库所用的角色（不拥有任何表）")

    def handle(self, *args, role, **options):
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise CommandError("角色名只能包含小写字母、数字和下划线", returncode=2)
        self.stdout.write("\n".join(grants(role)))
