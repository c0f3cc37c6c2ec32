"""Counting and paging large lists (issue 15: every page counted all matching rows).

An exact ``COUNT(*)`` over hundreds of thousands of rows is a scan on every view. On PostgreSQL
``estimated_count`` asks the planner (``EXPLAIN``: its row estimate from the table statistics)
and counts exactly only when the estimate is small; elsewhere (SQLite, the demo) it counts.
``EstimatedPaginator`` pages with that count; pages show "约" when it is an estimate (the
employer list, the results and notice lists, ``_pagination.html``).
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import DatabaseError, connections
from django.db.models import F, OrderBy, Q
from django.utils.functional import cached_property

# Below this many rows (by the planner's estimate) the rows are counted, and at most this many:
# counting 20,000 search matches took 200 ms at a million employers (each match is a row read),
# 2,000 take a tenth of it.
EXACT_BELOW = 2_000


def planner_estimate(queryset) -> int | None:
    """The planner's row estimate of ``queryset`` (PostgreSQL), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def serial(read, using: str = "default", *, walk: bool = False):
    """``read()`` with no parallel workers on PostgreSQL (``SET LOCAL
    max_parallel_workers_per_gather = 0`` in its own transaction): a page of 25 rows or a count
    stopping at 2,001 is done long before the workers the planner asks for have started (the
    start of two workers cost 25 of a page's 33 ms at a million employers).

    ``walk``: no bitmap scans either, so that a page in primary-key order is read by walking
    that index until the page is full. Only a broad search is listed in that order
    (``employers.selectors.BroadOrder``), and the planner, which may think the matches rare
    (a LIKE of a long fragment: 99 rows, whatever it is), would otherwise collect every match
    through the trigram index first (36 ms for 劳务派遣有限公司, the walk 5 ms)."""
    from django.db import transaction

    connection = connections[using]
    if connection.vendor != "postgresql":
        return read()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            if walk:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
        return read()


# A list whose table holds at least this many rows, and which the planner expects to be small,
# is first counted in a block sample of about SAMPLE_ROWS rows (``sampled_estimate``).
SAMPLE_FROM_ROWS = 200_000
SAMPLE_ROWS = 5_000
# ... unless the planner expects at most this many rows: an equality on a unique or selective
# column (a whole USCC), which it estimates well; its guesses for a LIKE are about 100 and up.
SAMPLE_ABOVE = 10


def table_rows(queryset) -> int:
    """The planner's row count of ``queryset``'s table (``pg_class.reltuples``; 0 if unknown)."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def sampled_estimate(queryset) -> int | None:
    """The rows of ``queryset`` estimated by counting them in a block sample of its table
    (``TABLESAMPLE SYSTEM``: about ``SAMPLE_ROWS`` rows, read as whole pages, the same pages each
    time), scaled to the table — PostgreSQL only, for tables of at least ``SAMPLE_FROM_ROWS``
    rows; else None.

    The planner guesses a LIKE of a long fragment at 99 rows whatever it is (劳务派遣有限公司
    matches 9,331 of a million names), and counting up to 2,001 of them to find out reads the
    trigram index's longest lists (17 ms); the sample reads its 5,000 rows in about 5 ms and
    found 9,467."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    rows = table_rows(queryset)
    if rows < SAMPLE_FROM_ROWS:
        return None
    percent = min(100.0, 100.0 * SAMPLE_ROWS / rows)
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    # The list's own table: the first FROM (a subquery's copy of the table has an alias).
    marker = f"FROM {table}"
    if marker not in sql:
        return None
    sampled = sql.replace(marker, f"{marker} TABLESAMPLE SYSTEM ({percent:.6f}) REPEATABLE (1)", 1)
    try:
        counted = serial(lambda: _count(connection, sampled, params), queryset.db)
    except DatabaseError:
        return None
    return round(counted * 100.0 / percent)


def _count(connection, sql, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS sampled", params)
        return cursor.fetchone()[0]


def estimated_count(queryset, *, exact_below: int = EXACT_BELOW) -> tuple[int, bool]:
    """(count, exact): the exact count when small or not on PostgreSQL, else an estimate.

    The planner can underestimate (a LIKE's or an array containment's selectivity is a guess):
    a list it expects to be small is first counted in a block sample of its table
    (``sampled_estimate``, large tables only), and a sample that finds it large gives the
    estimate; else the rows are counted, but capped: at most ``exact_below`` + 1 are counted,
    and a count that reaches the cap is reported as an estimate (the largest of the three) — a
    search with hundreds of thousands of matches never counts them all."""
    estimate = planner_estimate(queryset)
    if estimate is None:
        return queryset.order_by().count(), True
    if estimate >= exact_below:
        return estimate, False
    sampled = sampled_estimate(queryset) if estimate > SAMPLE_ABOVE else None
    if sampled is not None and sampled >= exact_below:
        return sampled, False
    capped = serial(lambda: queryset.order_by()[: exact_below + 1].count(), queryset.db)
    if capped <= exact_below:
        return capped, True
    return max(estimate, capped, sampled or 0), False


class EstimatedPaginator(Paginator):
    """A paginator whose total is ``estimated_count`` (an estimate only for large lists)."""

    exact = True

    @cached_property
    def count(self):
        total, self.exact = estimated_count(self.object_list)
        return total


# --- keyset pages (issue 15: deep OFFSET pages read every row before them) ------------------------

# Numbered pages (``?page=N``, no cursor) are served by OFFSET up to this page: an OFFSET reads
# and drops every row before the page (page 10,000 of a published cycle of a million: 1.7 s).
# Past it the page says so and shows the first page; the links never lead there, they carry a
# cursor (``after`` / ``before``: the sort keys of the row next to the page) or ``last``.
OFFSET_PAGES = 20

PAGING_PARAMS = ("page", "after", "before", "last")


class InvalidCursor(ValueError):
    pass


def _key_field(model, path: str):
    """The model field at the end of ``path`` ("name", "pk", "employer__name")."""
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field


def _order_key(expression) -> tuple[str, bool]:
    """(field path, descending) of one ORDER BY entry: "name", "-pk", or an expression over one
    field (``SortKey(F("name"))``, possibly ``.desc()``)."""
    if isinstance(expression, str):
        return expression.lstrip("-"), expression.startswith("-")
    descending = False
    if isinstance(expression, OrderBy):
        descending = expression.descending
        expression = expression.expression
    while not isinstance(expression, F):
        sources = expression.get_source_expressions()
        if len(sources) != 1:
            raise ValueError(f"not a single-field sort key: {expression!r}")
        expression = sources[0]
    return expression.name, descending


def _key_value(row, path: str):
    value = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _cursor_json(value):
    """JSON of a sort key the default encoder does not know: dates and times in full (Django's
    encoder cuts microseconds, and the cursor must equal the row's key exactly)."""
    import datetime
    import decimal
    import uuid

    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"not a sort key: {value!r}")


def encode_cursor(values) -> str:
    import base64

    raw = json.dumps(list(values), default=_cursor_json, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, fields) -> list:
    import base64
    import binascii

    from django.core.exceptions import ValidationError

    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor(text) from exc
    if not isinstance(values, list) or len(values) != len(fields):
        raise InvalidCursor(text)
    try:
        decoded = [field.to_python(value) for field, value in zip(fields, values, strict=True)]
    except (ValidationError, TypeError, ValueError) as exc:
        raise InvalidCursor(text) from exc
    if any(value is None for value in decoded):
        raise InvalidCursor(text)
    return decoded


class KeysetPage:
    """One page of a ``KeysetPaginator``: iterable like Django's ``Page``, with the links to the
    first, previous, next and last pages (``first_url``…) and the page number when it is known
    (``number``: counted from the first page along the links, or from the end when the total is
    exact; None after a jump to the end of an estimated list)."""

    keyset = True
    problem_announced = False

    def __init__(self, paginator, rows, number, *, has_previous, has_next, params, problem=""):
        self.paginator = paginator
        self.object_list = rows
        self.number = number
        self._has_previous = has_previous
        self._has_next = has_next
        self._params = params
        self.problem = problem

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_previous(self):
        return self._has_previous

    def has_next(self):
        return self._has_next

    def has_other_pages(self):
        return self._has_previous or self._has_next

    @property
    def broad(self) -> bool:
        """Whether this is a broad search's list, in registration order (the page says so)."""
        return self.paginator.by_primary_key

    def _url(self, **extra) -> str:
        values = {name: value for name, value in extra.items() if value is not None}
        return "?" + _with(self._params, **values).urlencode()

    @property
    def here_query(self) -> str:
        """This page's query string (its cursor included), for links that come back to it."""
        return self._params.urlencode()

    @property
    def first_url(self):
        return self._url()

    @property
    def previous_url(self):
        if not self.object_list:
            return self.first_url
        number = self.number - 1 if self.number and self.number > 1 else None
        if number == 1:
            return self.first_url
        return self._url(before=self.paginator.cursor(self.object_list[0]), page=number)

    @property
    def next_url(self):
        number = self.number + 1 if self.number else None
        return self._url(after=self.paginator.cursor(self.object_list[-1]), page=number)

    @property
    def last_url(self):
        return self._url(last="1")


class KeysetPaginator:
    """Pages a large list by its sort keys instead of an OFFSET: the next page is the rows after
    the last row shown (``key > cursor``, an index range), so every page costs the same however
    deep (issue 15).

    The keys are the queryset's ORDER BY: field paths ("-" for descending), or an expression
    that sorts as a field (``employers.selectors.SortKey``), unique together (the last is the
    primary key). The total is ``estimated_count``'s. Numbered pages without a cursor (``?page=N``, old links) are served up
    to ``OFFSET_PAGES``."""

    def __init__(self, object_list, per_page: int, *, total: tuple[int, bool] | None = None):
        self.object_list = object_list
        self.per_page = per_page
        if total is not None:  # counted already (``employers.selectors.searched_order``)
            self._total = total
        self.order = list(object_list.query.order_by)
        if not self.order:
            raise ValueError("KeysetPaginator needs an ordered queryset")
        self.keys, self.descending = [], []
        for expression in self.order:
            key, descending = _order_key(expression)
            self.keys.append(key)
            self.descending.append(descending)
        self.fields = [_key_field(object_list.model, key) for key in self.keys]

    @cached_property
    def _total(self) -> tuple[int, bool]:
        return estimated_count(self.object_list)

    @property
    def count(self) -> int:
        return self._total[0]

    @property
    def exact(self) -> bool:
        return self._total[1]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def cursor(self, row) -> str:
        return encode_cursor(_key_value(row, key) for key in self.keys)

    def _beyond(self, values, *, forward: bool) -> Q:
        """Rows after (``forward``) or before the row whose keys are ``values``, in list order."""
        condition = Q()
        equal = Q()
        for key, descending, value in zip(self.keys, self.descending, values, strict=True):
            greater = descending != forward  # the key grows towards the rows wanted
            step = Q(**{f"{key}__{'gt' if greater else 'lt'}": value})
            condition |= equal & step
            equal &= Q(**{key: value})
        # The first key's bound alone, so that the database walks its index from the cursor.
        first = self.keys[0]
        bound = "lte" if self.descending[0] == forward else "gte"
        return Q(**{f"{first}__{bound}": values[0]}) & condition

    def _ordered(self, *, reverse: bool):
        order = []
        for expression, descending in zip(self.order, self.descending, strict=True):
            if isinstance(expression, str):
                name = expression.lstrip("-")
                order.append(name if descending == reverse else f"-{name}")
            else:
                plain = expression.expression if isinstance(expression, OrderBy) else expression
                order.append(plain.desc() if descending != reverse else plain.asc())
        return self.object_list.order_by(*order)

    @property
    def by_primary_key(self) -> bool:
        """Sorted by the primary key alone: only a broad search's list is
        (``employers.selectors.BroadOrder``), and it is read by walking that index (``serial``)."""
        return len(self.fields) == 1 and self.fields[0].primary_key

    def _rows(self, queryset, start: int, stop: int) -> list:
        return serial(lambda: list(queryset[start:stop]), queryset.db, walk=self.by_primary_key)

    def get_page(self, params) -> KeysetPage:
        from django.utils.translation import gettext as _

        size = self.per_page
        number = _positive_int(params.get("page"))
        problem = ""
        for name, forward in (("after", True), ("before", False)):
            if not params.get(name):
                continue
            try:
                values = decode_cursor(params[name], self.fields)
            except InvalidCursor:
                problem = _("翻页链接无效（可能已过期或被改动），已回到第一页。")
                number = None
                break
            beyond = self._ordered(reverse=not forward).filter(
                self._beyond(values, forward=forward)
            )
            rows = self._rows(beyond, 0, size + 1)
            more = len(rows) > size  # beyond the page, in the direction read
            return KeysetPage(
                self, rows[:size] if forward else rows[:size][::-1], number,
                has_previous=more if not forward else True, has_next=more if forward else True,
                params=params,
            )  # fmt: skip
        if params.get("last") and not problem:
            # The end of the list: the last page holds what is left after the full pages when
            # the total is exact (so its number is the last page's), else a full page.
            last = self.num_pages if self.exact else None
            take = self.count - (last - 1) * size if last else size
            rows = self._rows(self._ordered(reverse=True), 0, max(take, 0) + 1)
            return KeysetPage(
                self, rows[:take][::-1], last, has_previous=len(rows) > take,
                has_next=False, params=params,
            )  # fmt: skip
        if number and number > OFFSET_PAGES and self.exact and number >= self.num_pages:
            # Past the end (or the last page itself): the last page, as Django's get_page does.
            return self.get_page(_with(params, last="1"))
        if number and number > OFFSET_PAGES:
            problem = _(
                "第 %(page)s 页太靠后，无法直接跳转：请从第一页用“下一页”“末页”翻看，"
                "或用搜索和筛选缩小范围。"
            ) % {"page": number}
            number = None
        start = ((number or 1) - 1) * size
        rows = self._rows(self._ordered(reverse=False), start, start + size + 1)
        if not rows and start:  # past the end: the first page, as Django's get_page does
            start, number = 0, 1
            rows = self._rows(self._ordered(reverse=False), 0, size + 1)
        return KeysetPage(
            self, rows[:size], number or 1, has_previous=start > 0,
            has_next=len(rows) > size, params=params, problem=problem,
        )  # fmt: skip


def _with(params, **values):
    query = params.copy()
    for name in PAGING_PARAMS:
        query.pop(name, None)
    query.update(values)
    return query


def keyset_page(request, queryset, per_page: int, *, total=None) -> KeysetPage:
    """``KeysetPaginator(queryset, per_page).get_page(request.GET)``, and a link that could not
    be followed (broken, or too deep a page number) said at the top of the page as well, where
    the user looks first (the messages of ``base.html``)."""
    from django.contrib import messages

    page = KeysetPaginator(queryset, per_page, total=total).get_page(request.GET)
    if page.problem:
        messages.warning(request, page.problem)
        page.problem_announced = True
    return page


def _positive_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None
