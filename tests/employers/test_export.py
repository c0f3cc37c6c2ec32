import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from employers.choices import Role
from employers.tabular import neutralise_formula

from ..factories import EmployerFactory, UserFactory, jurisdiction

FORMULA_NAMES = [
    '=HYPERLINK("http://example.invalid","点我")',
    "+86 联系公司",
    "-1+2",
    "@SUM(A1:A2)",
]


@pytest.mark.parametrize("value", FORMULA_NAMES)
def test_neutralise_formula_keeps_text(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["宏达公司", "", "A=B", 42])
def test_neutralise_formula_leaves_plain_values(value):
    assert neutralise_formula(value) == value


@pytest.mark.django_db
def test_csv_export_has_bom_and_no_formula(client, inspector):
    for name in FORMULA_NAMES:
        EmployerFactory(name=name)
    client.force_login(inspector)
    response = client.get(reverse("employers:export", args=["csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # streamed (issue 15)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert rows[0][:4] == ["uscc", "name", "kind", "jurisdiction"]
    names = {r[1] for r in rows[1:]}
    assert names == {"'" + n for n in FORMULA_NAMES}
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


@pytest.mark.django_db
def test_xlsx_export_stores_text_not_formulas(client, inspector):
    EmployerFactory(name=FORMULA_NAMES[0], legal_rep="=1+1")
    client.force_login(inspector)
    response = client.get(reverse("employers:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["name"].data_type == "s" and row["name"].value == FORMULA_NAMES[0]
    assert row["legal_rep"].data_type == "s"


@pytest.mark.django_db
def test_export_only_contains_visible_employers(client):
    EmployerFactory(name="郏县单位", jurisdiction=jurisdiction("jiaxian"))
    EmployerFactory(name="西青单位", jurisdiction=jurisdiction("xiqing"))
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing")))
    response = client.get(reverse("employers:export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "西青单位" in body and "郏县单位" not in body


@pytest.mark.django_db
def test_export_rejects_unknown_format(client, inspector):
    client.force_login(inspector)
    assert client.get("/employers/export.pdf").status_code == 404
