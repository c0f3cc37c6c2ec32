"""An upheld grade objection in public notice changes the cycle grade (seed 002 四(二)
"对确需调整的及时在系统上变更等级"; SPEC §7, §8): on approval an override proposed by the deciding
inspector and approved by the approving supervisor, through grading's services."""

import pytest
from django.core.exceptions import ValidationError

from credit_records.models import AuditEntry
from objections import services
from objections.choices import CaseStatus, ObjectionKind, Outcome
from objections.models import Objection

pytestmark = pytest.mark.django_db

grading_services = pytest.importorskip("grading.services")


@pytest.fixture
def accepted(employer, employer_user, inspector, cycle_grade):
    _cycle, grade = cycle_grade
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="2024年度的违法行为已整改，不应评为C级",
        grade_id=grade.pk,
    )
    return services.accept(actor=inspector, case=objection)


def _final(cycle, employer):
    from grading.selectors import cycle_results

    return {row.employer.pk: row.final_grade for row in cycle_results(cycle)}[employer.pk]


def test_upheld_grade_objection_overrides_the_cycle_grade(
    employer, inspector, supervisor, cycle_grade, accepted
):
    from grading.choices import OverrideStatus
    from grading.models import GradeOverride

    cycle, grade = cycle_grade
    services.decide(
        actor=inspector,
        objection=accepted,
        outcome=Outcome.UPHELD,
        reasons="核实后应为B级",
        new_grade="B",
    )
    assert Objection.objects.get(pk=accepted.pk).new_grade == "B"
    assert _final(cycle, employer) == "C"  # nothing changes before approval
    closed = services.approve_decision(actor=supervisor, case=accepted)
    assert closed.status == CaseStatus.CLOSED
    override = GradeOverride.objects.get(grade=grade)
    assert override.status == OverrideStatus.APPROVED
    assert override.proposed_grade == "B"
    assert override.proposed_by == inspector
    assert override.decided_by == supervisor
    assert f"依异议 #{accepted.pk}" in override.reason
    assert "核实后应为B级" in override.reason
    assert _final(cycle, employer) == "B"
    assert grading_services.final_grade(grade) == "B"
    cycle.refresh_from_db()
    assert cycle.status == "public_notice"
    actions = set(
        AuditEntry.objects.filter(object_id=str(override.pk)).values_list("action", flat=True)
    )
    assert {"grading.override_proposed", "grading.override_approved"} <= actions


def test_rejected_grade_objection_leaves_the_cycle_grade(
    employer, inspector, supervisor, cycle_grade, accepted
):
    from grading.models import GradeOverride

    cycle, grade = cycle_grade
    with pytest.raises(ValidationError):  # a rejection carries no new grade
        services.decide(
            actor=inspector,
            objection=accepted,
            outcome=Outcome.REJECTED,
            reasons="x",
            new_grade="B",
        )
    services.decide(
        actor=inspector, objection=accepted, outcome=Outcome.REJECTED, reasons="评价无误"
    )
    services.approve_decision(actor=supervisor, case=accepted)
    assert not GradeOverride.objects.filter(grade=grade).exists()
    assert _final(cycle, employer) == "C"


def test_partly_upheld_without_a_grade_changes_nothing(
    employer, inspector, supervisor, cycle_grade, accepted
):
    from grading.models import GradeOverride

    cycle, grade = cycle_grade
    services.decide(
        actor=inspector, objection=accepted, outcome=Outcome.PARTLY_UPHELD, reasons="部分成立"
    )
    services.approve_decision(actor=supervisor, case=accepted)
    assert not GradeOverride.objects.filter(grade=grade).exists()
    assert _final(cycle, employer) == "C"


@pytest.mark.parametrize("bad", ["", "E", "a", "C"])
def test_the_new_grade_is_validated(inspector, accepted, bad):
    # Required when upheld; a grade of the jiaxian rule set (A–D); not the current grade.
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=inspector,
            objection=accepted,
            outcome=Outcome.UPHELD,
            reasons="应调整",
            new_grade=bad,
        )
    assert "new_grade" in exc.value.message_dict
    assert Objection.objects.get(pk=accepted.pk).status == CaseStatus.ACCEPTED


def test_the_new_grade_follows_the_rule_set(employer, inspector, accepted, cycle_grade):
    from grading.models import Grade

    _cycle, grade = cycle_grade
    # xiqing grades only A–C: D is refused for a xiqing grade.
    Grade.objects.filter(pk=grade.pk).update(ruleset_code="xiqing", ruleset_version="1")
    from grading import rulesets

    assert "D" not in rulesets.get("xiqing", "1").grades
    with pytest.raises(ValidationError):
        services.decide(
            actor=inspector, objection=accepted, outcome=Outcome.UPHELD, reasons="x", new_grade="D"
        )


def test_a_normal_override_is_still_refused_in_public_notice(inspector, supervisor, cycle_grade):
    _cycle, grade = cycle_grade
    with pytest.raises(ValidationError):
        grading_services.propose_override(
            actor=inspector, grade=grade, proposed_grade="B", reason="人工复核"
        )


def test_an_objection_on_another_grade_does_not_open_public_notice(
    inspector, cycle_grade, accepted
):
    from grading.models import Grade
    from tests.factories import EmployerFactory

    _cycle, grade = cycle_grade
    other = Grade.objects.create(
        run=grade.run,
        employer=EmployerFactory(),
        ruleset_code="jiaxian",
        ruleset_version="1",
        as_of=grade.as_of,
        cycle_year=2024,
        grade="D",
        jurisdiction=grade.jurisdiction,
    )
    with pytest.raises(ValidationError):
        grading_services.propose_override(
            actor=inspector, grade=other, proposed_grade="B", reason="x", objection=accepted
        )


def test_the_decision_form_offers_the_rule_set_grades(client, inspector, accepted):
    client.force_login(inspector)
    page = client.get(f"/objections/{accepted.pk}/").content.decode()
    assert 'name="d-new_grade"' in page
    assert 'name="d-remedy"' not in page
    response = client.post(
        f"/objections/{accepted.pk}/decide/",
        {"d-outcome": "upheld", "d-reasons": "应为A级", "d-new_grade": "A"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get(pk=accepted.pk)
    assert objection.status == CaseStatus.DECIDED and objection.new_grade == "A"
    page = client.get(f"/objections/{accepted.pk}/").content.decode()
    assert 'id="case-new-grade"' in page
