"""One test of "is this place inside that one" (employers.paths), used by every app's scope
checks: the separator is part of the test, so a code that merely begins with another code is
not inside it."""

import pytest

from employers.models import Jurisdiction
from employers.paths import below, in_subtree, subtree_q


@pytest.mark.parametrize(
    "path, root, inside, strictly",
    [
        ("henan/pingdingshan/jiaxian", "henan/pingdingshan/jiaxian", True, False),
        ("henan/pingdingshan/jiaxian/chengguan", "henan/pingdingshan/jiaxian", True, True),
        (
            "henan/pingdingshan/jiaxian2",
            "henan/pingdingshan/jiaxian",
            False,
            False,
        ),  # a longer code
        ("henan/pingdingshan", "henan/pingdingshan/jiaxian", False, False),  # above, not inside
        ("", "henan", False, False),
        ("henan", "", False, False),
        (None, "henan", False, False),
    ],
)
def test_in_subtree_and_below(path, root, inside, strictly):
    assert in_subtree(path, root) is inside
    assert below(path, root) is strictly


@pytest.mark.django_db
def test_subtree_q_selects_the_same_places_as_in_subtree():
    province = Jurisdiction.objects.create(code="990000", name="测试省", level="province")
    city = Jurisdiction.objects.create(code="990100", name="测试市", level="city", parent=province)
    county = Jurisdiction.objects.create(
        code="990101", name="测试县", level="district", parent=city
    )
    lookalike = Jurisdiction.objects.create(
        code="9901011", name="相似编码县", level="district", parent=city
    )
    street = Jurisdiction.objects.create(
        code="990101001", name="测试街道", level="street", parent=county
    )
    found = set(Jurisdiction.objects.filter(subtree_q("path", county.path)))
    assert found == {county, street}
    assert lookalike not in found
    everything = Jurisdiction.objects.filter(path__startswith=province.path)
    assert found == {j for j in everything if in_subtree(j.path, county.path)}
