"""The employer picker's search (issue 11 item 4): a name or the start of a USCC finds the
employers of the user's scope, at most 20; the USCC fields carry the picker."""

import pytest
from django.urls import reverse

from tests.factories import EmployerFactory, jurisdiction

pytestmark = pytest.mark.django_db


def test_search_by_name_or_code_within_scope(client, inspector):
    mine = EmployerFactory(name="郏县龙山建筑工程有限公司")
    EmployerFactory(name="西青龙山物流有限公司", jurisdiction=jurisdiction("xiqing"))
    client.force_login(inspector)
    found = client.get(reverse("employers:search"), {"q": "龙山"}).json()["results"]
    assert found == [{"uscc": mine.uscc, "name": mine.name}]
    by_code = client.get(reverse("employers:search"), {"q": mine.uscc[:10].lower()}).json()
    assert mine.uscc in {r["uscc"] for r in by_code["results"]}
    assert client.get(reverse("employers:search"), {"q": "龙"}).json()["results"] == []


def test_the_employer_cannot_search_the_registry(client, employer_user):
    client.force_login(employer_user)
    assert client.get(reverse("employers:search"), {"q": "有限"}).status_code == 403


def test_the_account_form_picks_the_employer_from_the_search():
    from employers.forms import AccountCreateForm

    html = str(AccountCreateForm()["employer_uscc"])
    assert f'data-employer-search="{reverse("employers:search")}"' in html
