"""Main journeys of issue 14 in the browser: an account that takes a second person, and an
import checked and written in the background."""

import re

from employers.choices import Role
from employers.models import User

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction
from .conftest import open_menu

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def _sign_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_a_new_account_takes_a_second_person_and_its_user_sets_the_password(
    transactional_db, live_server, browser
):
    UserFactory(username="admin_e2e", role=Role.SYSADMIN, jurisdiction=None, is_staff=True)
    UserFactory(username="boss_e2e", role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))

    maker = browser.new_context(locale="zh-CN").new_page()
    _sign_in(maker, live_server, "admin_e2e")
    open_menu(maker, "系统管理", "账号管理")
    maker.click("text=申请新建账号")
    maker.fill("#id_username", "newcomer_e2e")
    maker.fill("#id_display_name", "新来的监察员")
    maker.select_option("#id_role", Role.INSPECTOR)
    maker.select_option("#id_jurisdiction", label="郏县")
    maker.fill("#id_reason", "新入职")
    maker.click("main button[type=submit]")
    maker.wait_for_load_state()
    assert "待审批" in maker.locator("h1").inner_text()
    assert not User.objects.filter(username="newcomer_e2e").exists()

    approver = browser.new_context(locale="zh-CN").new_page()
    _sign_in(approver, live_server, "boss_e2e")
    open_menu(approver, "系统管理", "账号审批")
    approver.click("table >> text=newcomer_e2e")
    approver.on("dialog", lambda dialog: dialog.accept())
    approver.click("button:has-text('批准')")
    approver.wait_for_selector("text=请将激活码交给本人")
    code = CODE.search(approver.content()).group(0)

    user = browser.new_context(locale="zh-CN").new_page()
    user.goto(f"{live_server.url}/accounts/login/")
    user.click("text=用激活码设置密码")
    user.fill("#id_username", "newcomer_e2e")
    user.fill("#id_code", code)
    user.fill("#id_new_password1", "Newcomer-Pass-2026")
    user.fill("#id_new_password2", "Newcomer-Pass-2026")
    user.click("main button[type=submit]")
    user.wait_for_load_state()
    assert "密码已设置" in user.content()
    _sign_in(user, live_server, "newcomer_e2e", "Newcomer-Pass-2026")
    assert "新来的监察员" in user.locator("h1").inner_text()


def test_an_import_is_checked_then_written_in_the_background(
    transactional_db, live_server, page, login, tmp_path
):
    employers = [EmployerFactory(jurisdiction=jurisdiction("jiaxian")) for _ in range(3)]
    UserFactory(username="importer_e2e", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    path = tmp_path / "巡查记录.csv"
    path.write_text(
        "uscc,kind,date,result,source\n"
        + "".join(f"{e.uscc},patrol_inspection,2025-05-06,no_issue,patrol\n" for e in employers),
        encoding="utf-8",
    )
    login("importer_e2e", PASSWORD)
    open_menu(page, "用人单位", "导入信用记录")
    page.set_input_files("#id_file", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=校验通过")
    assert "将新增 3" in page.content()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入完成")
    assert "新增 3" in page.content()
