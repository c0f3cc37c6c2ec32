from employers.choices import Role

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction
from .conftest import open_menu


def test_inspector_logs_in_and_sees_employer_list(transactional_db, live_server, page, login):
    EmployerFactory(name="郏县金堃人力资源服务有限公司", jurisdiction=jurisdiction("jiaxian"))
    EmployerFactory(name="天津犇腾物流有限公司", jurisdiction=jurisdiction("xiqing"))
    UserFactory(username="inspector_e2e", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))

    login("inspector_e2e", PASSWORD)
    open_menu(page, "用人单位", "用人单位")
    page.wait_for_selector("h1:has-text('用人单位')")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "郏县金堃人力资源服务有限公司" in rows.first.inner_text()
    assert "天津犇腾物流有限公司" not in page.content()

    page.fill("input[name=q]", "金堃")
    page.click("button:has-text('查询')")
    page.wait_for_load_state()
    assert "金堃" in page.locator("table tbody").inner_text()


def test_wrong_password_stays_on_login(transactional_db, live_server, page, login):
    UserFactory(username="someone_e2e")
    login("someone_e2e", "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").inner_text().startswith("用户名或密码错误")
