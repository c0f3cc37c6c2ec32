"""Reads that every view uses, so scoping lives in the queryset and not in templates.

Staff (inspector, supervisor, publisher, auditor) see their jurisdiction's subtree; an employer
user sees only the employer it is bound to; the sysadmin sees the registry read-only; anyone else
sees nothing.
"""

import re

from django.db import connections
from django.db.models import BooleanField, CharField, F, Func, Q, QuerySet, Value

from .choices import STAFF_ROLES, Role
from .models import Employer, Jurisdiction


def jurisdiction_subtree_ids(user) -> list[int]:
    if not user.jurisdiction_id:
        return []
    return list(user.jurisdiction.subtree().values_list("pk", flat=True))


def visible_jurisdictions(user) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return Jurisdiction.objects.none()
    if user.role == Role.SYSADMIN:
        return Jurisdiction.objects.all()
    if user.role in STAFF_ROLES and user.jurisdiction_id:
        return user.jurisdiction.subtree()
    return Jurisdiction.objects.none()


def scope_by_employer(queryset: QuerySet, user, employer_field: str = "") -> QuerySet:
    """Restrict any queryset that reaches an employer (``employer_field`` is the lookup path to
    it, "" for Employer itself) to what ``user`` may see."""
    prefix = f"{employer_field}__" if employer_field else ""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.EMPLOYER:
        if not user.employer_id:
            return queryset.none()
        key = f"{employer_field}_id" if employer_field else "pk"
        return queryset.filter(**{key: user.employer_id})
    if user.role in STAFF_ROLES:
        ids = jurisdiction_subtree_ids(user)
        return queryset.filter(
            Q(**{f"{prefix}jurisdiction_id__in": ids}) | Q(**{f"{prefix}street_id__in": ids})
        )
    # The sysadmin (三员分立) sees no credit data, grades or objections.
    return queryset.none()


def visible_employers(user) -> QuerySet:
    employers = Employer.objects.select_related("jurisdiction", "street")
    if user.is_authenticated and user.is_active and user.role == Role.SYSADMIN:
        return employers  # the registry only, to bind employer accounts
    return scope_by_employer(employers, user)


# --- search by name or USCC (issue 15 item 4) -----------------------------------------------------

# Characters a USCC can hold (upper-cased; a little wider than GB 32100's alphabet so that a code
# imported with a typo is still found by the characters it has).
_USCC_CHARS = re.compile(r"^[0-9A-Z]+$")
USCC_LENGTH = 18


# Queries of at most this many characters take the character-gram path on PostgreSQL: pg_trgm
# finds no trigram in them and would read its whole index (employers migration 0011).
GRAM_LENGTH = 2


class NameGramsContain(Func):
    """``strpos(UPPER(name), UPPER(q)) > 0 AND lc_name_grams(name) @> ARRAY[UPPER(q)]``: the
    name (upper-cased) contains ``q`` (one or two characters), which the GIN index of its single
    characters and character pairs answers — on PostgreSQL, where the function and its indexes
    exist (employers migration 0011, publication migration 0008). The same rows as
    ``UPPER(name) LIKE UPPER('%q%')``."""

    output_field = BooleanField()
    conditional = True
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        name_sql, name_params = compiler.compile(self.source_expressions[0])
        q_sql, q_params = compiler.compile(self.source_expressions[1])
        # strpos first: the same rows, about a microsecond a row where the grams function takes
        # tens (the database checks it first when it walks the name index, even under an OR).
        # Not a LIKE: the planner would add the trigram index to the lookup (a BitmapAnd), and
        # for a pattern with no trigram that index is read whole (1.1 s at a million names).
        sql = (
            f"(strpos(UPPER({name_sql}), UPPER({q_sql})) > 0 AND "
            f"lc_name_grams({name_sql}) @> ARRAY[UPPER({q_sql})]::text[])"
        )
        return sql, (*name_params, *q_params, *name_params, *q_params)


def name_contains(queryset: QuerySet, q: str, name: str = "name") -> Q:
    """The condition "the name contains ``q`` (any case)" on the indexed path: for one or two
    characters on PostgreSQL the character grams (``NameGramsContain``), else ``icontains``
    (``UPPER(name) LIKE UPPER('%q%')``, the pg_trgm index on PostgreSQL, a scan on SQLite)."""
    if len(q) <= GRAM_LENGTH and connections[queryset.db].vendor == "postgresql":
        return Q(NameGramsContain(name, Value(q)))
    return Q(**{f"{name}__icontains": q})


def search_by_name_or_uscc(
    queryset: QuerySet, q: str, *, name: str = "name", uscc: str = "uscc", indexed: bool = True
) -> QuerySet:
    """Rows whose name contains ``q`` (any case) or whose USCC matches it.

    ``indexed`` (the default) takes the paths the indexes serve: the name part is
    ``UPPER(name) LIKE UPPER('%q%')``, which a pg_trgm GIN index on ``UPPER(name)`` answers on
    PostgreSQL (employers migration 0009, publication migration 0006; SQLite scans) — except a
    ``q`` of one or two characters, which has no trigram: on PostgreSQL it is looked up among
    the name's characters and character pairs (``name_contains``; employers migration 0011,
    publication migration 0008); the USCC part
    is an equality for a full 18-character code (the unique index), a prefix
    (``uscc LIKE 'Q%'``, the ``varchar_pattern_ops`` index Django makes for the column) for a
    shorter code typed from its start, and nothing at all for a query no USCC can contain
    (Chinese, spaces, punctuation). ``indexed=False`` is the old unindexable form, a substring
    of both columns (``UPPER(col) LIKE '%Q%'``): kept as the benchmarks' baseline. The two give
    the same rows except for a code fragment from the middle of a USCC, which only the old form
    finds. A whole code (18 letters and digits, at least one digit) is looked up as a code
    only."""
    q = (q or "").strip()
    if not q:
        return queryset
    code = q.upper()
    if not indexed:
        return queryset.filter(Q(**{f"{name}__icontains": q}) | Q(**{f"{uscc}__icontains": code}))
    if _USCC_CHARS.match(code) and len(code) == USCC_LENGTH and re.search(r"\d", code):
        # A whole code is looked up as a code only: no name holds 18 letters and digits run
        # together, and the name part would cost a trigram lookup and a sample for nothing.
        return queryset.filter(**{uscc: code})
    condition = name_contains(queryset, q, name)
    if _USCC_CHARS.match(code):
        if len(code) == USCC_LENGTH:
            condition |= Q(**{uscc: code})
        elif len(code) < USCC_LENGTH:
            condition |= Q(**{f"{uscc}__startswith": code})
    return queryset.filter(condition)


# A searched list with at most this many matches (counted: at most this many + 1 rows are read)
# is sorted by name from its matches — an index lookup, then a sort, in time proportional to the
# matches (2,000: about 20 ms at a million employers). A broader search is listed in
# registration order instead (``BroadOrder``): see ``searched_order``.
SORT_MATCHES_BELOW = 2_000

# Whether a broad search is listed in registration order (the primary key's) rather than by
# name; False keeps the name order whatever it costs (the benchmarks' old path).
BROAD_BY_REGISTRATION = True


class SortKey(Func):
    """``(name || '')``: sorts exactly as ``name`` (the same text, the same collation) but is not
    the indexed column, so the database cannot walk the name index in that order."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


class SearchOrder(list):
    """The ORDER BY of a searched list (a list), with what deciding it found: ``total``, the
    matches as ``paging.estimated_count`` gives them (count, exact) — the page's paginator takes
    it instead of counting again — and ``broad``."""

    broad = False
    total = None

    def __init__(self, order, total=None):
        super().__init__(order)
        self.total = total


class BroadOrder(SearchOrder):
    """The ORDER BY of a broad search: the primary key alone (registration order). ``broad`` tells
    the page to say so."""

    broad = True


def searched_order(queryset: QuerySet, name: str = "name", *rest: str, searched: bool = True):
    """The ORDER BY of a list sorted by ``name`` (then ``rest``, ending with the primary key, e.g.
    "pk") once searched — a page costs tens of milliseconds however many rows match.

    To fill a page sorted by name, the database either sorts every match (time in proportion to
    their number: 1.4 s for the half a million names containing 公) or walks the name index and
    tests each row until the page is full — fast only if the matches are spread evenly through
    the name order, and they are not: names begin with their county or town (许昌…), so the
    matches of such a search sit together, and the walk for 许昌 passed 700,000 rows (6 s) at a
    million employers before the first match. Neither is bounded for a search matching many
    names. So (PostgreSQL only):

    - up to ``SORT_MATCHES_BELOW`` matches (counted, the count stopping there), the matches are
      sorted by name (``SortKey``, which the name index cannot serve);
    - more, the list is in registration order (``BroadOrder``: the primary key, the last of
      ``rest``), whose index the database walks until the page is full — registration order has
      nothing to do with the name, so the matches are spread through it and a page of 25 among
      matches that are 1 % of the rows costs 2,500 rows read (a few milliseconds). The page says
      the order and how to get the name order back (type more of the name).

    SQLite (the demo) sorts by name always."""
    order = [name, *rest]
    if not searched or connections[queryset.db].vendor != "postgresql":
        return order
    from .paging import estimated_count

    total = estimated_count(queryset, exact_below=SORT_MATCHES_BELOW)
    if total[1]:
        order[0] = SortKey(F(name.lstrip("-")))
        if name.startswith("-"):
            order[0] = order[0].desc()
        return SearchOrder(order, total)
    if BROAD_BY_REGISTRATION and rest:
        return BroadOrder(rest[-1:], total)
    return SearchOrder(order, total)


def search_employers(queryset: QuerySet, q: str, employer_field: str = "", **kwargs) -> QuerySet:
    """``queryset`` (of employers, or of rows reaching one through ``employer_field``) narrowed
    to the employers whose name or USCC matches ``q`` (``search_by_name_or_uscc``)."""
    prefix = f"{employer_field}__" if employer_field else ""
    return search_by_name_or_uscc(queryset, q, name=f"{prefix}name", uscc=f"{prefix}uscc", **kwargs)
