"""The partner query API (SPEC §12): every status code, the token's scope and life, the rate limit,
the call log, nothing personal, the OpenAPI description."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from exchange import tokens
from exchange.models import ApiCall, PartnerToken
from grading.choices import CycleStatus
from publication import services as publication
from tests.factories import EmployerFactory, UserFactory, jurisdiction, next_uscc
from tests.publication.conftest import make_cycle

from .conftest import api, publish

pytestmark = pytest.mark.django_db


def body(response):
    return json.loads(response.content.decode("utf-8"))


def test_grades_of_a_published_employer(client, published, token):
    employer = published.test_employers[2]  # graded C: jiaxian.C.1
    response = api(client, f"/api/v1/grades/{employer.uscc}", token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = body(response)
    assert data["uscc"] == employer.uscc and data["name"] == employer.name
    [grade] = data["grades"]
    assert (grade["year"], grade["grade"], grade["published_grade"]) == (2024, "C", "C")
    assert grade["ruleset"]["code"] == "jiaxian" and grade["ruleset"]["title"]
    assert grade["authority"] == "郏县人力资源和社会保障局"
    assert grade["jurisdiction"] == "jiaxian"
    published_on = timezone.localdate(published.published_at)
    assert grade["valid_from"] == published_on.isoformat()
    assert grade["valid_until"] == published_on.replace(year=published_on.year + 1).isoformat()
    assert grade["valid"] is True
    # jiaxian 第十六条: C → more patrols.
    assert {"text": "适当增加日常巡视检查频次", "article": "第十六条"} in grade["measures"]
    assert grade["adjustments"] == [] and grade["newer_cycle_in_notice"] is None
    assert isinstance(grade["seq"], int)


def test_nothing_personal_in_any_answer(client, published, token):
    employer = published.test_employers[0]
    employer.address = "郏县龙山街道人民路88号"
    employer.save()
    text = api(client, f"/api/v1/grades/{employer.uscc}", token).content.decode("utf-8")
    text += api(client, "/api/v1/published?after=0", token).content.decode("utf-8")
    for personal in ("张三丰", "13812345678", "人民路88号", "legal_rep", "phone", "address"):
        assert personal not in text


@pytest.mark.parametrize(
    "uscc, reason",
    [
        ("91410425MA0000001X", "校验码错误"),  # wrong check character
        ("9141042", "应为 18 位"),
        ("91410425MA000000IO", "不允许的字符"),
    ],
)
def test_400_bad_uscc_with_the_reason(client, token, uscc, reason):
    response = api(client, f"/api/v1/grades/{uscc}", token)
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "invalid_uscc" and reason in error["message"]


def test_400_bad_cursor(client, token):
    for query in ("after=-1", "after=abc", "limit=0", "limit=5000"):
        response = api(client, f"/api/v1/published?{query}", token)
        assert response.status_code == 400, query
        assert body(response)["error"]["code"] == "invalid_parameter"


def test_401_without_token_or_with_a_bad_one(client, published):
    uscc = published.test_employers[0].uscc
    missing = client.get(f"/api/v1/grades/{uscc}")
    assert missing.status_code == 401 and body(missing)["error"]["code"] == "token_missing"
    assert missing["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer lct_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "):
        response = client.get(f"/api/v1/grades/{uscc}", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert body(response)["error"]["code"] == "token_invalid"


def test_a_revoked_token_is_refused(client, published, token):
    uscc = published.test_employers[0].uscc
    assert api(client, f"/api/v1/grades/{uscc}", token).status_code == 200
    tokens.revoke_by_name(name="郏县市场监管局")
    response = api(client, f"/api/v1/grades/{uscc}", token)
    assert response.status_code == 401 and body(response)["error"]["code"] == "token_revoked"
    assert api(client, "/api/v1/published", token).status_code == 401


def test_an_expired_token_is_refused(client, published, token):
    PartnerToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api(client, f"/api/v1/grades/{published.test_employers[0].uscc}", token)
    assert response.status_code == 401
    error = body(response)["error"]
    assert error["code"] == "token_expired" and "过期" in error["message"]


def test_403_a_jiaxian_token_cannot_read_a_xiqing_employer(client, published, token):
    xiqing_employer = EmployerFactory(jurisdiction=jurisdiction("xiqing"))
    response = api(client, f"/api/v1/grades/{xiqing_employer.uscc}", token)
    assert response.status_code == 403
    assert body(response)["error"]["code"] == "out_of_scope"
    # …and a token of the city above jiaxian reads jiaxian's employers (the subtree).
    _row, city = tokens.create_token(name="平顶山", jurisdiction=jurisdiction("pingdingshan"))
    assert (
        api(client, f"/api/v1/grades/{published.test_employers[0].uscc}", city).status_code == 200
    )
    assert api(client, f"/api/v1/grades/{xiqing_employer.uscc}", city).status_code == 403


def test_404_an_unknown_employer(client, token):
    response = api(client, f"/api/v1/grades/{next_uscc()}", token)
    assert response.status_code == 404 and body(response)["error"]["code"] == "not_found"


def test_a_registered_employer_without_a_published_grade(client, token):
    employer = EmployerFactory()
    response = api(client, f"/api/v1/grades/{employer.uscc}", token)
    assert response.status_code == 200
    assert body(response)["grades"] == [] and body(response)["name"] == employer.name


def test_429_with_retry_after_per_token(client, published, token, settings, monkeypatch):
    settings.EXCHANGE_API_RATE_PER_MINUTE = 3
    # One fixed-window minute for every call: four calls must not straddle a minute's edge.
    from types import SimpleNamespace

    from exchange import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_020.0))
    uscc = published.test_employers[0].uscc
    statuses = [api(client, f"/api/v1/grades/{uscc}", token).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = api(client, f"/api/v1/grades/{uscc}", token)
    assert limited.status_code == 429
    assert body(limited)["error"]["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # The limit is per token: another token is not held back.
    _row, other = tokens.create_token(name="另一个部门", jurisdiction=jurisdiction("jiaxian"))
    assert api(client, f"/api/v1/grades/{uscc}", other).status_code == 200


def test_every_call_is_logged(client, published, token):
    uscc = published.test_employers[0].uscc
    api(client, f"/api/v1/grades/{uscc}", token)
    api(client, "/api/v1/grades/123", token)
    api(client, "/api/v1/published?after=0&limit=2", token)
    client.get(f"/api/v1/grades/{uscc}")
    calls = list(ApiCall.objects.order_by("id"))
    assert [(c.endpoint, c.status, c.error_code) for c in calls] == [
        ("grades", 200, ""),
        ("grades", 400, "invalid_uscc"),
        ("published", 200, ""),
        ("grades", 401, "token_missing"),
    ]
    assert calls[0].token_name == "郏县市场监管局" and calls[0].uscc == uscc
    assert calls[0].jurisdiction_path == "pingdingshan/jiaxian" and calls[0].items == 1
    assert calls[2].query == "after=0&limit=2" and calls[2].items == 2
    assert calls[3].token is None
    assert PartnerToken.objects.get().last_used_at is not None


def test_the_auditor_searches_the_calls_of_its_jurisdiction(client, published, token, auditor):
    uscc = published.test_employers[0].uscc
    api(client, f"/api/v1/grades/{uscc}", token)
    _row, xiqing = tokens.create_token(name="西青税务", jurisdiction=jurisdiction("xiqing"))
    api(client, f"/api/v1/grades/{uscc}", xiqing)  # 403, logged under xiqing
    client.force_login(auditor)
    page = client.get("/exchange/api-calls/", {"uscc": uscc}).content.decode()
    assert "郏县市场监管局" in page and "西青税务" not in page
    xiqing_auditor = UserFactory(role="auditor", jurisdiction=jurisdiction("xiqing"))
    client.force_login(xiqing_auditor)
    page = client.get("/exchange/api-calls/", {"uscc": uscc}).content.decode()
    assert "西青税务" in page and "郏县市场监管局" not in page and "超出令牌辖区" in page


def test_an_adjustment_is_shown_and_numbered(client, published, publisher, token):
    result = published.published_results.get(employer=published.test_employers[2])
    publication.adjust_published_result(
        result=result,
        new_grade="B",
        effective_date=timezone.localdate(),
        public_note="经复评调整",
        reason="复评成立",
        actor=publisher,
    )
    grade = body(api(client, f"/api/v1/grades/{result.uscc}", token))["grades"][0]
    assert (grade["grade"], grade["published_grade"]) == ("B", "C")
    assert grade["adjustments"] == [
        {
            "effective_date": timezone.localdate().isoformat(),
            "previous_grade": "C",
            "grade": "B",
            "note": "经复评调整",
        }
    ]
    # After an adjustment only the grade's general measures apply (no rule of B fired).
    assert all(m["article"] for m in grade["measures"])
    items = body(api(client, "/api/v1/published?after=0", token))["items"]
    assert [i["type"] for i in items] == ["result"] * 3 + ["adjustment"]
    last = items[-1]
    assert (last["seq"], last["uscc"], last["grade"], last["previous_grade"]) == (
        4,
        result.uscc,
        "B",
        "C",
    )
    assert last["original_grade"] == "C" and last["note"] == "经复评调整"


def test_a_newer_cycle_in_public_notice_is_flagged(client, published, publisher, token):
    employer = published.test_employers[0]
    from grading.models import Cycle

    newer = Cycle.objects.create(
        jurisdiction=published.jurisdiction,
        ruleset_code="jiaxian",
        year=2025,
        status=CycleStatus.PUBLIC_NOTICE,
        notice_start=dt.date(2026, 3, 2),
        notice_end=dt.date(2026, 3, 6),
    )
    grade = body(api(client, f"/api/v1/grades/{employer.uscc}", token))["grades"][0]
    assert grade["newer_cycle_in_notice"] == {
        "year": 2025,
        "status": "public_notice",
        "status_label": "公示中",
        "notice_start": "2026-03-02",
        "notice_end": "2026-03-06",
    }
    assert newer.pk


def test_published_pages_with_a_cursor(
    client, publisher, token, django_capture_on_commit_callbacks
):
    grades = [("B", ("jiaxian.B.1",))] * 5
    first = publish(
        make_cycle(year=2023, grades=grades, status=CycleStatus.FINAL),
        publisher,
        django_capture_on_commit_callbacks,
    )
    publish(
        make_cycle(year=2024, grades=grades, status=CycleStatus.FINAL),
        publisher,
        django_capture_on_commit_callbacks,
    )
    seen, after = [], 0
    while True:
        page = body(api(client, f"/api/v1/published?after={after}&limit=3", token))
        seen += [i["seq"] for i in page["items"]]
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert seen == list(range(1, 11))
    assert body(api(client, f"/api/v1/published?after={after}", token)) == {
        "items": [],
        "next_after": 10,
        "has_more": False,
    }
    assert first.published_results.count() == 5


def test_a_token_sees_only_its_jurisdictions_items(
    client, publisher, token, django_capture_on_commit_callbacks
):
    publish(make_cycle(status=CycleStatus.FINAL), publisher, django_capture_on_commit_callbacks)
    xiqing_publisher = UserFactory(role="publisher", jurisdiction=jurisdiction("xiqing"))
    publish(
        make_cycle("xiqing", grades=[("A", ("xiqing.A.1",))], status=CycleStatus.FINAL),
        xiqing_publisher,
        django_capture_on_commit_callbacks,
    )
    items = body(api(client, "/api/v1/published?after=0", token))["items"]
    assert {i["jurisdiction"] for i in items} == {"jiaxian"} and len(items) == 3
    _row, xq = tokens.create_token(name="西青", jurisdiction=jurisdiction("xiqing"))
    items = body(api(client, "/api/v1/published?after=0", xq))["items"]
    assert [(i["seq"], i["jurisdiction"]) for i in items] == [(4, "xiqing")]


def test_openapi_description_and_the_developers_page(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = body(response)
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/v1/grades/{uscc}", "/api/v1/published"}
    grades = spec["paths"]["/api/v1/grades/{uscc}"]["get"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(grades["responses"])
    assert "bearer" in json.dumps(spec["components"]["securitySchemes"]).lower()
    page = client.get("/api/v1/docs/").content.decode()
    for text in ("Authorization: Bearer", "out_of_scope", "Retry-After", "next_after"):
        assert text in page


def test_the_api_needs_no_session_and_no_csrf(published, token):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = api(client, f"/api/v1/grades/{published.test_employers[0].uscc}", token)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert client.post("/api/v1/published", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
