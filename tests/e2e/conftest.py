"""Browser tests: Playwright (python) driving Debian's /usr/bin/chromium — never a downloaded
browser. Skipped cleanly where Chromium is not installed."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures in
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """login(username, password) in the browser; returns the page."""

    def do_login(username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return do_login


def open_menu(page, group, item):
    """Navigate through the top menu: open the group's dropdown, then click the entry (a group
    with one entry for this role is a plain link: then ``item`` is clicked directly)."""
    entry = page.locator(f"nav .dropdown-menu >> text={item}")
    if entry.count():
        page.click(f"nav .dropdown-toggle:has-text('{group}')")
        entry.first.click()
    else:
        page.click(f"nav >> text={item}")
    page.wait_for_load_state()
