"""The demo at its default size leaves 西青区's cycle ready for a newcomer to finalise (issue 11
item 9): its public notice over and nothing blocking it — a pending override on that cycle once
kept it out of public notice whenever the demo graded one of its employers C."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from grading.choices import CycleStatus, OverrideStatus
from grading.models import Cycle, GradeOverride
from publication import services

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_the_xiqing_cycle_ready_to_finalise():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    cycle = Cycle.objects.get(jurisdiction__code="xiqing", status=CycleStatus.PUBLIC_NOTICE)
    assert not GradeOverride.objects.filter(
        grade__run=cycle.run, status=OverrideStatus.PENDING
    ).exists()
    assert services.earliest_final_date(cycle) <= timezone.localdate()
    assert "未能进入公示" not in out.getvalue()
    # the supervisor's approval queue still has something to show in the demo
    assert GradeOverride.objects.filter(status=OverrideStatus.PENDING).exists()
