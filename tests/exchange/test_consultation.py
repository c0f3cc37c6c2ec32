"""Consultation of the sister units before public notice (seed 002 四(二); SPEC §12)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from credit_records.models import AuditEntry
from employers.choices import Role
from exchange import services
from exchange.choices import ReplyStatus
from exchange.models import ConsultationObjection, ConsultationReply
from grading.choices import CycleStatus
from grading.selectors import cycle_grades
from publication import services as publication
from tests.factories import UserFactory, jurisdiction
from tests.publication.conftest import make_cycle

from .conftest import make_units

pytestmark = pytest.mark.django_db

D = dt.date
# 2025: notice from Monday 29 September (see tests/publication/test_workflow.py).
SENT = D(2025, 9, 22)
REPLY_BY = D(2025, 9, 26)
START = D(2025, 9, 29)


@pytest.fixture
def cycle(db):
    # No C grade: no written notice is due, so only the consultation holds the notice here.
    grades = [("A", ("jiaxian.A.1",)), ("B", ("jiaxian.B.1",)), ("B", ("jiaxian.B.1",))]
    return make_cycle(grades=grades, status=CycleStatus.UNDER_REVIEW)


@pytest.fixture
def units(db):
    return make_units()


def send(cycle, publisher, reply_by=REPLY_BY):
    return services.send_consultation(
        cycle=cycle, actor=publisher, reply_by=reply_by, message="请于期限内反馈", today=SENT
    )


def start_notice(cycle, publisher, today):
    return publication.start_public_notice(cycle=cycle, actor=publisher, start=START, today=today)


def grade_of(cycle, employer):
    return cycle_grades(cycle).get(employer=employer)


def test_sending_reaches_every_unit_and_is_audited(cycle, units, publisher):
    consultation = send(cycle, publisher)
    replies = ConsultationReply.objects.filter(consultation=consultation)
    assert sorted(r.unit.name for r in replies) == sorted(u.name for u in units)
    assert {r.status for r in replies} == {ReplyStatus.PENDING}
    assert consultation.proposed_count == 3
    entry = AuditEntry.objects.get(action="exchange.consultation_sent")
    assert entry.jurisdiction_path == cycle.jurisdiction.path
    assert entry.after["reply_by"] == "2025-09-26"


def test_sending_is_refused_when_it_cannot_be_done(cycle, units, publisher):
    other = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied):
        send(cycle, other)
    with pytest.raises(services.ExchangeError, match="不能早于今天"):
        send(cycle, publisher, reply_by=SENT - dt.timedelta(days=1))
    send(cycle, publisher)
    with pytest.raises(services.ExchangeError, match="已经征求过意见"):
        send(cycle, publisher)
    no_units = make_cycle("xiqing", grades=[("A", ("xiqing.A.1",))])
    xiqing_publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(services.ExchangeError, match="没有登记征求意见单位"):
        send(no_units, xiqing_publisher)


def test_the_notice_waits_for_every_unit_or_the_reply_date(cycle, units, publisher):
    with pytest.raises(publication.WorkflowError, match="尚未向征求意见单位征求意见"):
        start_notice(cycle, publisher, today=SENT)
    send(cycle, publisher)
    first, second = ConsultationReply.objects.order_by("pk")
    services.submit_reply(reply=first, actor=first.unit.members.get().user, no_objection=True)
    with pytest.raises(publication.WorkflowError, match="尚有 1 个征求意见单位未答复"):
        start_notice(cycle, publisher, today=REPLY_BY)  # the last day to reply
    employer = cycle.test_employers[2]
    services.add_objection(
        reply=second,
        grade=grade_of(cycle, employer),
        reason="该单位有未结仲裁案件",
        actor=second.unit.members.get().user,
    )
    services.submit_reply(reply=second, actor=second.unit.members.get().user, no_objection=False)
    noticed = start_notice(cycle, publisher, today=REPLY_BY)
    assert noticed.status == CycleStatus.PUBLIC_NOTICE


def test_the_notice_may_start_once_the_reply_date_has_passed(cycle, units, publisher):
    send(cycle, publisher)
    with pytest.raises(publication.WorkflowError):
        start_notice(cycle, publisher, today=REPLY_BY)
    noticed = start_notice(cycle, publisher, today=REPLY_BY + dt.timedelta(days=1))
    assert noticed.status == CycleStatus.PUBLIC_NOTICE
    # …and the units that did not answer can no longer answer.
    reply = ConsultationReply.objects.first()
    with pytest.raises(services.ExchangeError, match="不再接受"):
        services.submit_reply(reply=reply, actor=reply.unit.members.get().user, no_objection=True)


def test_a_jurisdiction_without_sister_units_is_not_held(cycle, publisher):
    assert start_notice(cycle, publisher, today=SENT).status == CycleStatus.PUBLIC_NOTICE


def test_objections_are_kept_per_employer_with_reasons(cycle, units, publisher):
    send(cycle, publisher)
    reply = ConsultationReply.objects.get(unit=units[0])
    user = units[0].user
    employer = cycle.test_employers[1]
    objection = services.add_objection(
        reply=reply, grade=grade_of(cycle, employer), reason="  建议核实欠薪投诉  ", actor=user
    )
    assert (objection.uscc, objection.proposed_grade, objection.reason) == (
        employer.uscc,
        "B",
        "建议核实欠薪投诉",
    )
    with pytest.raises(services.ExchangeError, match="已对"):
        services.add_objection(
            reply=reply, grade=grade_of(cycle, employer), reason="再次", actor=user
        )
    with pytest.raises(services.ExchangeError, match="请填写意见和理由"):
        services.add_objection(
            reply=reply, grade=grade_of(cycle, cycle.test_employers[0]), reason=" ", actor=user
        )
    with pytest.raises(services.ExchangeError, match="请提交意见"):
        services.submit_reply(reply=reply, actor=user, no_objection=True)
    services.submit_reply(reply=reply, actor=user, no_objection=False, note="其余无异议")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.OBJECTIONS and reply.answered_by == user
    with pytest.raises(services.ExchangeError, match="已经答复"):
        services.remove_objection(objection=objection, actor=user)
    assert AuditEntry.objects.filter(action="exchange.consultation_answered").count() == 1


def test_only_the_units_own_account_answers(cycle, units, publisher):
    send(cycle, publisher)
    reply = ConsultationReply.objects.get(unit=units[0])
    for intruder in (units[1].user, publisher, UserFactory(role=Role.CONSULTEE, jurisdiction=None)):
        with pytest.raises(PermissionDenied):
            services.submit_reply(reply=reply, actor=intruder, no_objection=True)
    with pytest.raises(services.ExchangeError, match="尚未对任何单位提出意见"):
        services.submit_reply(reply=reply, actor=units[0].user, no_objection=False)


def test_an_employer_outside_the_cycle_cannot_be_objected_to(cycle, units, publisher):
    send(cycle, publisher)
    other = make_cycle(year=2023)
    reply = ConsultationReply.objects.get(unit=units[0])
    with pytest.raises(services.ExchangeError, match="不在本周期"):
        services.add_objection(
            reply=reply,
            grade=grade_of(other, other.test_employers[0]),
            reason="x",
            actor=units[0].user,
        )


# --- pages ----------------------------------------------------------------------------------


def test_the_consultee_reads_the_proposed_list_and_answers(client, cycle, units, publisher):
    send(cycle, publisher)
    reply = ConsultationReply.objects.get(unit=units[0])
    client.force_login(units[0].user)
    listing = client.get("/exchange/consultations/").content.decode()
    assert f"/exchange/replies/{reply.pk}/" in listing
    page = client.get(f"/exchange/replies/{reply.pk}/").content.decode()
    for employer in cycle.test_employers:
        assert employer.name in page
    assert "张三丰" not in page and "13812345678" not in page
    target = grade_of(cycle, cycle.test_employers[2])
    form = client.get(f"/exchange/replies/{reply.pk}/", {"object": target.pk}).content.decode()
    assert "objection-form" in form
    response = client.post(
        f"/exchange/replies/{reply.pk}/object/", {"grade": target.pk, "reason": "建议暂缓定级"}
    )
    assert response.status_code == 302
    response = client.post(f"/exchange/replies/{reply.pk}/submit/", {"verdict": "objections"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.OBJECTIONS
    # Another unit's reply is not this user's.
    other = ConsultationReply.objects.get(unit=units[1])
    assert client.get(f"/exchange/replies/{other.pk}/").status_code == 404


def test_the_reviewing_inspector_sees_the_opinions(client, cycle, units, publisher, inspector):
    consultation = send(cycle, publisher)
    reply = ConsultationReply.objects.get(unit=units[0])
    employer = cycle.test_employers[2]
    services.add_objection(
        reply=reply,
        grade=grade_of(cycle, employer),
        reason="工会反映该单位拖欠工资",
        actor=units[0].user,
    )
    client.force_login(inspector)
    # Not yet submitted: a draft is the unit's own.
    assert "工会反映" not in client.get(f"/employers/{employer.pk}/").content.decode()
    services.submit_reply(reply=reply, actor=units[0].user, no_objection=False)
    employer_page = client.get(f"/employers/{employer.pk}/").content.decode()
    assert "工会反映该单位拖欠工资" in employer_page and units[0].name in employer_page
    detail = client.get(f"/exchange/consultations/{consultation.pk}/").content.decode()
    assert "工会反映该单位拖欠工资" in detail and employer.uscc in detail
    cycle_page = client.get(f"/publication/cycles/{cycle.pk}/").content.decode()
    assert "consultation-panel" in cycle_page and "已答复 1 / 2 个单位" in cycle_page
    outsider = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    client.force_login(outsider)
    assert client.get(f"/exchange/consultations/{consultation.pk}/").status_code == 404
    assert ConsultationObjection.objects.count() == 1


def test_the_publisher_sends_from_the_cycle_page(client, cycle, units, publisher):
    client.force_login(publisher)
    page = client.get(f"/publication/cycles/{cycle.pk}/").content.decode()
    assert "send-consultation" in page and units[0].name in page
    response = client.post(
        f"/exchange/cycles/{cycle.pk}/consultation/",
        {"reply_by": "2099-01-05", "message": "请反馈"},
    )
    assert response.status_code == 302
    assert ConsultationReply.objects.filter(consultation__cycle=cycle).count() == 2
    page = client.get(f"/publication/cycles/{cycle.pk}/").content.decode()
    assert "已答复 0 / 2 个单位" in page and "尚有 2 个征求意见单位未答复" in page


def test_the_consultees_queue(cycle, units, publisher):
    from employers.workbench import queues_for

    send(cycle, publisher)
    [queue] = [q for q in queues_for(units[0].user) if q.key == "exchange.consultations_to_answer"]
    assert queue.count(units[0].user) == 1
    [item] = queue.items(units[0].user)
    assert item.due == REPLY_BY and "郏县" in item.title


def test_the_consultee_searches_the_proposed_list_and_the_answer_link_keeps_the_page(
    client, cycle, units, publisher
):
    send(cycle, publisher)
    reply = ConsultationReply.objects.get(unit=units[0])
    client.force_login(units[0].user)
    wanted = cycle.test_employers[1]
    response = client.get(f"/exchange/replies/{reply.pk}/", {"q": wanted.name})
    shown = [row["grade"].employer_id for row in response.context["rows"]]
    assert wanted.pk in shown
    assert all(wanted.name in e.name for e in cycle.test_employers if e.pk in shown)
    html = response.content.decode()
    target = grade_of(cycle, wanted)
    # The link that opens the answer form keeps the search (and the page's cursor, if any).
    assert f"object={target.pk}#objection-form" in html
    assert "q=" in html.split(f"object={target.pk}#objection-form")[0].rsplit('href="', 1)[1]
