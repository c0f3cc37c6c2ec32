"""Each staff page cites only the regulation of the user's own jurisdiction (issue 11 item 6):
a 郏县 page used to cite 江津's notice."""

import pytest
from django.urls import reverse

from employers.choices import Role
from tests.factories import UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

OTHERS = {
    "jiaxian": "郏县办法",
    "jiangjin": "江津区通知",
    "xiqing": "西青人社发",
    "xuchang": "许昌市通知",
}


@pytest.mark.parametrize(
    "url_name, county, cited",
    [
        ("supervision:interviews", "jiaxian", {"jiaxian"}),
        ("supervision:interviews", "jiangjin", {"jiangjin"}),
        ("supervision:training", "xiqing", {"xiqing"}),
        ("supervision:training", "jiaxian", set()),
        ("grading:overrides", "jiaxian", set()),
        ("grading:overrides", "jiangjin", {"jiangjin"}),
        ("grading:screening", "jiaxian", set()),
        ("supervision:plans", "xuchang", {"xuchang"}),
    ],
)
def test_a_page_cites_only_its_own_jurisdiction(client, url_name, county, cited):
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction(county)))
    html = client.get(reverse(url_name)).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for code, marker in OTHERS.items():
        assert (marker in main) == (code in cited), (code, marker)
