"""Manual review (seed 002 四（一）), screening, plaques and exemplary agencies — through the
services, with their permissions and audit."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from credit_records.models import AuditEntry
from employers.choices import Role
from employers.models import Employer
from grading import services
from grading.choices import CycleStatus, OverrideStatus
from grading.models import Cycle, ExemplaryAgency, Grade
from grading.reports import plaque_candidates, screening
from grading.selectors import cycle_results
from tests.factories import EmployerFactory, UserFactory, jurisdiction
from tests.grading.records import add

pytestmark = pytest.mark.django_db


def staff(role, code="jiaxian"):
    return UserFactory(role=role, jurisdiction=jurisdiction(code))


@pytest.fixture
def graded():
    employer = EmployerFactory()
    add(employer, "violation", "2024-05-01")
    run = services.regrade(cycle=2024)
    return Grade.objects.get(run=run, employer=employer)


def test_propose_and_approve_keeps_both_grades(graded):
    inspector, supervisor = staff(Role.INSPECTOR), staff(Role.SUPERVISOR)
    override = services.propose_override(
        actor=inspector, grade=graded, proposed_grade="B", reason="已及时纠正，情节轻微"
    )
    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2024)
    assert cycle.status == CycleStatus.UNDER_REVIEW
    row = next(cycle_results(cycle))
    assert (row.computed_grade, row.final_grade) == ("C", "C")  # pending: not yet final
    services.decide_override(actor=supervisor, override=override, approve=True, note="同意")
    row = next(cycle_results(cycle))
    assert (row.computed_grade, row.final_grade, row.rules) == ("C", "B", ["jiaxian.C.1"])
    assert row.override.decided_by == supervisor
    graded.refresh_from_db()
    assert graded.grade == "C"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"grading.override_proposed", "grading.override_approved",
            "grading.cycle_under_review"} <= actions  # fmt: skip


def test_review_permissions_and_rules(graded):
    inspector, supervisor = staff(Role.INSPECTOR), staff(Role.SUPERVISOR)
    for role in (Role.SYSADMIN, Role.AUDITOR, Role.PUBLISHER):
        user = UserFactory(role=role)
        with pytest.raises(PermissionDenied):
            services.propose_override(actor=user, grade=graded, proposed_grade="B", reason="x")
    outsider = staff(Role.INSPECTOR, "xiqing")
    with pytest.raises(PermissionDenied):
        services.propose_override(actor=outsider, grade=graded, proposed_grade="B", reason="x")
    with pytest.raises(ValidationError):
        services.propose_override(actor=inspector, grade=graded, proposed_grade="B", reason=" ")
    with pytest.raises(ValidationError):
        services.propose_override(actor=inspector, grade=graded, proposed_grade="E", reason="x")
    with pytest.raises(ValidationError):
        services.propose_override(actor=inspector, grade=graded, proposed_grade="C", reason="x")
    override = services.propose_override(
        actor=supervisor, grade=graded, proposed_grade="B", reason="轻微"
    )
    with pytest.raises(ValidationError):  # one pending proposal at a time
        services.propose_override(actor=inspector, grade=graded, proposed_grade="D", reason="x")
    with pytest.raises(PermissionDenied):
        services.decide_override(actor=inspector, override=override, approve=True)
    with pytest.raises(ValidationError):  # nobody approves their own proposal
        services.decide_override(actor=supervisor, override=override, approve=True)
    other = staff(Role.SUPERVISOR)
    with pytest.raises(ValidationError):  # a rejection needs a reason
        services.decide_override(actor=other, override=override, approve=False)
    services.decide_override(actor=other, override=override, approve=False, note="依据不足")
    override.refresh_from_db()
    assert override.status == OverrideStatus.REJECTED
    with pytest.raises(ValidationError):
        services.decide_override(actor=other, override=override, approve=True)


def test_no_review_once_the_notice_has_started(graded):
    Cycle.objects.filter(year=2024).update(status=CycleStatus.PUBLIC_NOTICE)
    with pytest.raises(ValidationError):
        services.propose_override(
            actor=staff(Role.INSPECTOR), grade=graded, proposed_grade="B", reason="x"
        )


def test_screening_finds_the_three_situations():
    jiangjin = jurisdiction("jiangjin")
    shop = EmployerFactory(jurisdiction=jiangjin, kind="individual_business")
    add(shop, "patrol_inspection", "2024-03-01")
    quiet = EmployerFactory(jurisdiction=jiangjin)  # never inspected: U.2
    inspected = EmployerFactory(jurisdiction=jiangjin)
    add(inspected, "written_review", "2024-08-01")
    services.regrade(cycle=2024)
    cycle = Cycle.objects.get(jurisdiction=jiangjin, year=2024)
    inspector = staff(Role.INSPECTOR, "jiangjin")
    supervisor = staff(Role.SUPERVISOR, "jiangjin")
    # Review graded a shop and an uninspected enterprise by hand: both must be caught.
    for employer in (shop, quiet):
        grade = Grade.objects.get(run=cycle.run, employer=employer)
        override = services.propose_override(
            actor=inspector, grade=grade, proposed_grade="A", reason="人工增加评级"
        )
        services.decide_override(actor=supervisor, override=override, approve=True, note="同意")
    # The same enterprise also graded in another cycle of the year (moved jurisdiction).
    inspected.jurisdiction = jurisdiction("jiaxian")
    inspected.save()
    services.regrade(cycle=2024, jurisdiction=jurisdiction("jiaxian"))
    cycles = list(Cycle.objects.filter(year=2024))
    found = screening(cycles, employers=Employer.objects.all())
    assert {f.employer for f in found["kind_not_covered"]} == {shop}
    assert {f.employer for f in found["no_inspection"]} == {quiet}
    assert {f.employer for f in found["two_grades"]} == {inspected}
    assert len(found["two_grades"]) == 2


def test_plaque_needs_three_consecutive_a_years():
    jiangjin = jurisdiction("jiangjin")
    always = EmployerFactory(jurisdiction=jiangjin)
    twice = EmployerFactory(jurisdiction=jiangjin)
    for year in (2022, 2023, 2024):
        add(always, "patrol_inspection", f"{year}-04-01")
        add(twice, "patrol_inspection", f"{year}-04-01")
    add(twice, "violation", "2023-06-01")  # B in 2023
    for year in (2022, 2023, 2024):
        services.regrade(cycle=year, jurisdiction=jiangjin)
    cycle = Cycle.objects.get(jurisdiction=jiangjin, year=2024)
    plaques = plaque_candidates(cycle, employers=Employer.objects.all())
    assert plaques.missing_years == [] and plaques.employers == [always]
    early = Cycle.objects.get(jurisdiction=jiangjin, year=2023)
    assert plaque_candidates(early, employers=Employer.objects.all()).missing_years == [2021]


def test_exemplary_agencies_at_most_five_percent_of_a():
    xuchang = jurisdiction("xuchang")
    agencies = [EmployerFactory(jurisdiction=xuchang, kind="hr_agency") for _ in range(41)]
    add(agencies[-1], "fund_fraud", "2024-03-01")  # D: 40 A-grade agencies → 2 places
    services.regrade(cycle=2024, jurisdiction=xuchang)
    cycle = Cycle.objects.get(jurisdiction=xuchang, year=2024)
    assert services.exemplary_quota(cycle) == 2
    publisher = staff(Role.PUBLISHER, "xuchang")
    with pytest.raises(ValidationError):  # only A agencies
        services.choose_exemplary(actor=publisher, cycle=cycle, employer=agencies[-1], reason="x")
    for employer in agencies[:2]:
        services.choose_exemplary(
            actor=publisher, cycle=cycle, employer=employer, reason="助力乡村振兴"
        )
    with pytest.raises(ValidationError):  # quota reached
        services.choose_exemplary(actor=publisher, cycle=cycle, employer=agencies[2], reason="x")
    with pytest.raises(PermissionDenied):
        services.choose_exemplary(
            actor=UserFactory(role=Role.SYSADMIN), cycle=cycle, employer=agencies[2], reason="x"
        )
    assert ExemplaryAgency.objects.filter(cycle=cycle).count() == 2
    services.drop_exemplary(actor=publisher, chosen=ExemplaryAgency.objects.first(), reason="撤回")
    assert ExemplaryAgency.objects.filter(cycle=cycle).count() == 1


def test_nineteen_a_agencies_give_no_place():
    xuchang = jurisdiction("xuchang")
    for _ in range(19):
        EmployerFactory(jurisdiction=xuchang, kind="hr_agency")
    services.regrade(cycle=2024, jurisdiction=xuchang)
    cycle = Cycle.objects.get(jurisdiction=xuchang, year=2024)
    assert services.exemplary_quota(cycle) == 0


def test_export_uses_the_final_grade(tmp_path, graded):
    inspector, supervisor = staff(Role.INSPECTOR), staff(Role.SUPERVISOR)
    override = services.propose_override(
        actor=inspector, grade=graded, proposed_grade="", reason="不属于评价对象"
    )
    services.decide_override(actor=supervisor, override=override, approve=True, note="同意")
    target = tmp_path / "g.csv"
    call_command(
        "export_grades", "--cycle", "2024", "--format", "csv", "--output", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    line = target.read_bytes().decode("utf-8-sig").splitlines()[1]
    assert line.endswith(",jiaxian,,jiaxian.C.1")


def test_sysadmin_edits_assignments_in_the_admin_with_audit(client):
    from grading.models import RuleSetAssignment

    admin_user = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assignment = RuleSetAssignment.objects.get(
        jurisdiction__code="xuchang", employer_kind="hr_agency"
    )
    response = client.post(
        f"/admin/grading/rulesetassignment/{assignment.pk}/change/",
        {
            "jurisdiction": assignment.jurisdiction_id,
            "employer_kind": "hr_agency",
            "ruleset_code": "xuchang",
            "ruleset_version": "1",
            "effective_from": "2023-01-01",
            "effective_to": "2030-12-31",
            "note": "",
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert str(assignment.effective_to) == "2030-12-31"
    entry = AuditEntry.objects.get(action="grading.assignment_update")
    assert entry.before["effective_to"] is None and entry.after["effective_to"] == "2030-12-31"
    # An unknown version is refused by the model's validation.
    response = client.post(
        f"/admin/grading/rulesetassignment/{assignment.pk}/change/",
        {
            "jurisdiction": assignment.jurisdiction_id, "employer_kind": "hr_agency",
            "ruleset_code": "xuchang", "ruleset_version": "9", "effective_from": "2023-01-01",
        },
    )  # fmt: skip
    assert response.status_code == 200 and "没有版本" in response.content.decode()
