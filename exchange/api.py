"""The partner query API (SPEC §12; seed 001 三(三) 一处违法、处处受限; seed 002 四(四)1; seed 004
第八、九条), built with django-ninja.

Why django-ninja rather than Django REST Framework: the API is two read-only GET endpoints with a
bearer token and a strict output contract. Ninja derives the OpenAPI 3 description served at
``/api/v1/openapi.json`` from the same pydantic schemas that serialise every answer, so the
description cannot drift from what is sent, and a field not declared in a schema is never sent
(nothing personal can leak through a serializer that dumps a model). It needs no session, CSRF,
browsable API or extra schema package (DRF would need drf-spectacular for OpenAPI 3).

- ``Authorization: Bearer <token>``; the token is looked up by its SHA-256 (``exchange.tokens``).
- Rate limited per token in the cache (``EXCHANGE_API_RATE_PER_MINUTE``, default 120; 429 with
  Retry-After).
- Every call is logged (``ApiCall``: token, endpoint, USCC or cursor asked, status, address).
- Errors are JSON ``{"error": {"code": …, "message": …}}``: 400 ``invalid_uscc`` (the reason from
  ``employers.uscc``) / ``invalid_parameter``, 401 ``token_missing`` / ``token_invalid`` /
  ``token_expired`` / ``token_revoked``, 403 ``out_of_scope``, 404 ``not_found``, 429
  ``rate_limited``.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from pydantic import Field

from credit_records.periods import cn_date as _cn_date
from employers.paths import in_subtree
from employers.uscc import normalize_uscc, validate_uscc

from . import ratelimit, selectors, tokens
from .models import ApiCall, PartnerToken

# --- errors ------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ErrorBody(Schema):
    code: str = Field(description="错误代码，如 invalid_uscc、token_expired、rate_limited")
    message: str = Field(description="中文说明")


class ErrorOut(Schema):
    error: ErrorBody


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese as it is, not as \\uXXXX escapes."""

    media_type = "application/json; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="劳动保障守法诚信等级查询接口",
    version="1",
    description=(
        "供协同部门（市场监管、税务、住建、发改等）按统一社会信用代码查询已公布的劳动保障守法诚信等级，"
        "并按公布序号增量同步公布结果和结果调整。令牌由系统管理员发放，放在请求头 "
        "`Authorization: Bearer <令牌>` 中。"
    ),
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url=None,
    renderer=UnicodeJSONRenderer(),
)


def _error(request, status: int, code: str, message: str, headers: dict | None = None):
    request._exchange_error = code
    response = api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "token_missing",
        _("缺少令牌：请在请求头 Authorization 中以“Bearer 令牌”的形式提供"),
        {"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    fields = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "?"
        fields.append(where)
    return _error(
        request,
        400,
        "invalid_parameter",
        _("参数不正确：%(fields)s") % {"fields": "、".join(fields)},
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _error(request, exc.status_code, "error", str(exc))


# --- authentication and rate limit -------------------------------------------------------------


class PartnerBearer(HttpBearer):
    """The bearer token of a partner department: known, not revoked, not expired; then counted
    against the token's rate limit."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if not header:
            return None  # → 401 token_missing
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(
                401,
                "token_invalid",
                _("令牌格式不正确：应为“Bearer 令牌”"),
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return self.authenticate(request, raw.strip())

    def authenticate(self, request, token):
        found = tokens.find(token)
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        if found is None:
            raise ApiError(401, "token_invalid", _("令牌无效"), challenge)
        request._exchange_token = found
        if found.is_revoked:
            raise ApiError(401, "token_revoked", _("令牌已被吊销"), challenge)
        if found.is_expired:
            raise ApiError(
                401,
                "token_expired",
                _("令牌已于%(day)s过期") % {"day": _cn_date(timezone.localdate(found.expires_at))},
                challenge,
            )
        wait = ratelimit.hit(f"token:{found.pk}", settings.EXCHANGE_API_RATE_PER_MINUTE)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                _("请求过于频繁：每个令牌每分钟最多 %(n)d 次，请 %(s)d 秒后重试")
                % {"n": settings.EXCHANGE_API_RATE_PER_MINUTE, "s": wait},
                {"Retry-After": str(wait)},
            )
        return found


# --- the call log ------------------------------------------------------------------------------


def log_call(run):
    """Wrap each operation's view (``add_decorator(mode="view")``): the call is logged whatever
    its outcome — refused token, bad USCC, rate limit or success."""

    @wraps(run)
    def logged(request, *args, **kwargs):
        started = time.monotonic()
        response = run(request, *args, **kwargs)
        token = getattr(request, "_exchange_token", None)
        match = request.resolver_match
        asked = kwargs.get("uscc") or ""
        ApiCall.objects.create(
            token=token,
            token_name=token.name if token else "",
            jurisdiction_path=token.jurisdiction.path if token else "",
            method=request.method[:8],
            endpoint=(match.url_name if match else "")[:32],
            path=request.path[:300],
            query=request.META.get("QUERY_STRING", "")[:500],
            uscc=normalize_uscc(asked)[:40],
            status=response.status_code,
            error_code=getattr(request, "_exchange_error", "")[:32],
            items=getattr(request, "_exchange_items", 0),
            ip_address=request.META.get("REMOTE_ADDR") or None,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        if token is not None and response.status_code < 400:
            PartnerToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        response["Cache-Control"] = "no-store"
        return response

    return logged


api.add_decorator(log_call, mode="view")


# --- schemas -----------------------------------------------------------------------------------


class MeasureOut(Schema):
    text: str = Field(description="激励或惩戒措施")
    article: str = Field(description="依据条款")


class AdjustmentOut(Schema):
    effective_date: dt.date = Field(description="调整日期（自该日起按调整后等级）")
    previous_grade: str = Field(description="调整前等级")
    grade: str = Field(description="调整后等级")
    note: str = Field(description="公告说明")


class RuleSetOut(Schema):
    code: str = Field(description="评价办法代码，如 jiaxian、xiqing、jiangjin、xuchang")
    version: str
    title: str = Field(description="评价办法名称")
    document: str = Field(description="发文文号或发文机关")


class CycleInNoticeOut(Schema):
    year: int = Field(description="评价年度")
    status: str = Field(description="public_notice（公示中）或 final（已确定、尚未公布）")
    status_label: str
    notice_start: dt.date | None
    notice_end: dt.date | None


class GradeOut(Schema):
    ruleset: RuleSetOut
    year: int = Field(description="评价年度")
    grade: str = Field(description="现行等级（有调整时为最近一次调整后的等级）")
    grade_label: str = Field(description="等级含义，如 守法诚信")
    published_grade: str = Field(description="公布时的等级")
    published_on: dt.date = Field(description="公布日期")
    valid_from: dt.date = Field(description="有效期起")
    valid_until: dt.date = Field(description="有效期止（公布之日起一年）")
    valid: bool = Field(description="今天是否在有效期内")
    authority: str = Field(description="评价单位")
    jurisdiction: str = Field(description="评价辖区代码")
    jurisdiction_name: str
    measures: list[MeasureOut] = Field(description="适用的守信激励或失信惩戒措施（联合奖惩）")
    adjustments: list[AdjustmentOut] = Field(description="公布后的结果调整，按日期先后")
    newer_cycle_in_notice: CycleInNoticeOut | None = Field(
        description="同一辖区、同一评价办法是否有更新年度的评价结果正在公示（或已确定待公布）"
    )
    seq: int | None = Field(description="该公布结果的公布序号")


class GradesOut(Schema):
    uscc: str
    name: str = Field(description="单位名称（以公布时为准）")
    grades: list[GradeOut] = Field(description="每个评价办法最近一次公布的等级，年度新者在前")
    as_of: dt.datetime = Field(description="查询时间")


class PublishedItemOut(Schema):
    seq: int = Field(description="公布序号：全系统连续编号，无空号")
    type: str = Field(description="result（公布结果）或 adjustment（结果调整）")
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="单位名称（以公布时为准）")
    year: int = Field(description="评价年度")
    ruleset: str = Field(description="评价办法代码")
    ruleset_version: str = Field(description="评价办法版本")
    jurisdiction: str = Field(description="评价辖区代码")
    authority: str = Field(description="评价单位")
    grade: str = Field(description="result：公布等级；adjustment：调整后等级")
    published_at: dt.datetime = Field(description="公布或登记调整的时间")
    effective_date: dt.date | None = Field(description="adjustment：调整日期")
    previous_grade: str | None = Field(description="adjustment：调整前等级")
    original_grade: str | None = Field(description="adjustment：原公布等级")
    note: str | None = Field(description="adjustment：公告说明")


class PublishedPageOut(Schema):
    items: list[PublishedItemOut]
    next_after: int = Field(description="下一次请求的 after 参数")
    has_more: bool = Field(description="是否还有更多（可立即以 next_after 继续）")


class PublishedQuery(Schema):
    after: int = Field(0, ge=0, description="只返回公布序号大于该值的条目；首次同步用 0")
    limit: int = Field(100, ge=1, le=1000, description="每页条数，1–1000，默认 100")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


# --- endpoints ---------------------------------------------------------------------------------


@api.get(
    "/grades/{uscc}",
    response={200: GradesOut, **ERRORS},
    auth=PartnerBearer(),
    url_name="grades",
    summary="按统一社会信用代码查询已公布等级",
    tags=["等级查询"],
)
def grades(request, uscc: str):
    try:
        code = validate_uscc(uscc)
    except DjangoValidationError as exc:
        raise ApiError(400, "invalid_uscc", exc.messages[0]) from None
    token: PartnerToken = request.auth
    known, paths = selectors.employer_known(code)
    if not known:
        raise ApiError(
            404, "not_found", _("没有统一社会信用代码为“%(uscc)s”的单位") % {"uscc": code}
        )
    root = token.jurisdiction.path
    if not any(in_subtree(p, root) for p in paths):
        raise ApiError(
            403,
            "out_of_scope",
            _("该单位不在令牌可查询的辖区（%(name)s）范围内") % {"name": token.jurisdiction.name},
        )
    results = selectors.latest_results_by_ruleset(code, root=root)
    today = timezone.localdate()
    entries = []
    for result in results:
        facts = selectors.grade_facts(result)
        cycle = result.cycle
        newer = selectors.newer_cycles(
            cycle.jurisdiction_id, result.ruleset_code, result.year
        ).first()
        entries.append(
            {
                "ruleset": {
                    "code": result.ruleset_code,
                    "version": result.ruleset_version,
                    "title": facts.ruleset_title,
                    "document": facts.ruleset_document,
                },
                "year": result.year,
                "grade": facts.grade,
                "grade_label": facts.grade_label,
                "published_grade": facts.published_grade,
                "published_on": facts.published_on,
                "valid_from": facts.valid_from,
                "valid_until": facts.valid_until,
                "valid": facts.valid_on(today),
                "authority": facts.authority,
                "jurisdiction": cycle.jurisdiction.code,
                "jurisdiction_name": cycle.jurisdiction.name,
                "measures": [{"text": m.text, "article": m.article} for m in facts.measures],
                "adjustments": [
                    {
                        "effective_date": a.effective_date,
                        "previous_grade": a.old_grade,
                        "grade": a.new_grade,
                        "note": a.public_note,
                    }
                    for a in facts.adjustments
                ],
                "newer_cycle_in_notice": (
                    {
                        "year": newer.year,
                        "status": newer.status,
                        "status_label": str(newer.get_status_display()),
                        "notice_start": newer.notice_start,
                        "notice_end": newer.notice_end,
                    }
                    if newer
                    else None
                ),
                "seq": selectors.item_seq(result),
            }
        )
    request._exchange_items = len(entries)
    name = results[0].name if results else _registry_name(code)
    return {"uscc": code, "name": name, "grades": entries, "as_of": timezone.localtime()}


def _registry_name(uscc: str) -> str:
    from employers.models import Employer

    return Employer.objects.filter(uscc=uscc).values_list("name", flat=True).first() or ""


@api.get(
    "/published",
    response={200: PublishedPageOut, **ERRORS},
    auth=PartnerBearer(),
    url_name="published",
    summary="按公布序号增量同步公布结果和结果调整",
    tags=["增量同步"],
)
def published(request, query: Query[PublishedQuery]):
    token: PartnerToken = request.auth
    rows = selectors.published_items(
        after=query.after, limit=query.limit + 1, root=token.jurisdiction.path
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = []
    for row in rows:
        item = {
            "seq": row["seq"],
            "type": row["kind"],
            "uscc": row["result__uscc"],
            "name": row["result__name"],
            "year": row["result__year"],
            "ruleset": row["result__ruleset_code"],
            "ruleset_version": row["result__ruleset_version"],
            "jurisdiction": row["result__cycle__jurisdiction__code"],
            # publication.services.authority_of, from the values already read
            "authority": row["result__cycle__jurisdiction__authority"]
            or row["result__cycle__jurisdiction__name"],
            "grade": row["result__grade"],
            "published_at": timezone.localtime(row["result__published_at"]),
            "effective_date": None,
            "previous_grade": None,
            "original_grade": None,
            "note": None,
        }
        if row["adjustment_id"] is not None:
            item.update(
                grade=row["adjustment__new_grade"],
                published_at=timezone.localtime(row["adjustment__created_at"]),
                effective_date=row["adjustment__effective_date"],
                previous_grade=row["adjustment__old_grade"],
                original_grade=row["result__grade"],
                note=row["adjustment__public_note"],
            )
        items.append(item)
    request._exchange_items = len(items)
    next_after = rows[-1]["seq"] if rows else query.after
    return {"items": items, "next_after": next_after, "has_more": has_more}
