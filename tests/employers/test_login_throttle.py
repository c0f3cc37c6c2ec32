"""Login lockout that a stranger cannot turn against a user (issue 14, item 8): a long lock per
client address (behind the documented proxy, the real client's), a brief and growing lock per
user name, and none at all on a browser where the owner signed in before."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from employers import login_throttle
from employers.choices import Role
from employers.network import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(login_throttle, "_now", c)
    return c


@pytest.fixture
def victim():
    return UserFactory(role=Role.INSPECTOR, username="victim")


def attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(response):
    return response.status_code == 302


def fail(client, username, ip, times):
    for _ in range(times):
        response = attempt(client, username, "wrong-password", ip)
        assert response.status_code in (200, 429)


def test_a_stranger_locks_a_user_name_only_briefly(client, victim, clock, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 5
    settings.LOGIN_USERNAME_LOCK_SECONDS = 60
    fail(Client(), "victim", "203.0.113.7", 5)
    # Locked from any address now, with the right password too…
    response = attempt(client, "victim", PASSWORD, "198.51.100.2")
    assert response.status_code == 429
    assert "分钟后再试" in response.content.decode()
    # …but only for a minute.
    clock.advance(61)
    assert signed_in(attempt(Client(), "victim", PASSWORD, "198.51.100.2"))


def test_the_user_name_lock_grows_and_is_capped(victim, clock, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    settings.LOGIN_USERNAME_LOCK_SECONDS = 60
    settings.LOGIN_USERNAME_LOCK_MAX_SECONDS = 300
    stranger = Client()
    lengths = []
    for _ in range(5):
        fail(stranger, "victim", "203.0.113.7", 3)
        until = login_throttle.locked_until(None, "victim")
        lengths.append(round((until - clock.now).total_seconds()))
        clock.advance(lengths[-1] + 1)
    assert lengths == [60, 120, 240, 300, 300]
    # A quiet day starts again from a minute.
    clock.advance(25 * 3600)
    fail(stranger, "victim", "203.0.113.7", 3)
    assert round((login_throttle.locked_until(None, "victim") - clock.now).total_seconds()) == 60


def test_attempts_during_a_lock_do_not_lengthen_it(victim, clock, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    fail(Client(), "victim", "203.0.113.7", 3)
    until = login_throttle.locked_until(None, "victim")
    fail(Client(), "victim", "203.0.113.8", 10)
    assert login_throttle.locked_until(None, "victim") == until


def test_the_owners_known_browser_is_not_locked_by_a_stranger(victim, clock, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 5
    owner = Client()
    assert signed_in(attempt(owner, "victim", PASSWORD, "198.51.100.2"))
    assert login_throttle.DEVICE_COOKIE in owner.cookies
    owner.post(reverse("logout"))
    fail(Client(), "victim", "203.0.113.7", 5)
    assert attempt(Client(), "victim", PASSWORD, "198.51.100.9").status_code == 429
    assert signed_in(attempt(owner, "victim", PASSWORD, "198.51.100.2"))
    # The known browser has its own count: guessing there locks only that browser.
    owner.post(reverse("logout"))
    fail(owner, "victim", "198.51.100.2", 5)
    assert attempt(owner, "victim", PASSWORD, "198.51.100.2").status_code == 429


def test_a_forged_device_cookie_is_ignored(victim, clock, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 5
    fail(Client(), "victim", "203.0.113.7", 5)
    forger = Client()
    forger.cookies[login_throttle.DEVICE_COOKIE] = '{"d": "x", "u": ["victim"]}'
    assert attempt(forger, "victim", PASSWORD, "203.0.113.7").status_code == 429


def test_spraying_from_one_address_locks_that_address_for_long(clock, settings):
    settings.AXES_FAILURE_LIMIT = 10
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 5
    users = [UserFactory(role=Role.INSPECTOR, username=f"staff{i}") for i in range(6)]
    sprayer = Client()
    for user in users[:5]:
        fail(sprayer, user.username, "203.0.113.7", 2)  # under every per-name limit
    response = attempt(sprayer, users[5].username, PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert "网络地址" in response.content.decode() and "60 分钟" in response.content.decode()
    # Signing in to an account of its own does not reset the address's count.
    assert attempt(Client(), users[5].username, PASSWORD, "203.0.113.7").status_code == 429
    # Nobody else is affected: every user signs in from elsewhere.
    clock.advance(0)
    assert signed_in(attempt(Client(), users[0].username, PASSWORD, "198.51.100.2"))


def test_behind_the_proxy_each_client_has_its_own_address(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    # What a client writes into the header itself comes before the proxy's entry: ignored.
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 203.0.113.7"
    )
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "198.51.100.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"


def test_behind_the_proxy_a_sprayer_cannot_lock_out_everyone(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 50
    UserFactory(role=Role.INSPECTOR, username="colleague")
    sprayer = Client()
    for i in range(6):
        sprayer.post(
            LOGIN,
            {"username": "colleague", "password": "nope"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 203.0.113.7",  # a new forged value each time
        )
    blocked = sprayer.post(
        LOGIN,
        {"username": "colleague", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert blocked.status_code == 429
    response = Client().post(
        LOGIN,
        {"username": "colleague", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert signed_in(response)


def test_the_audit_log_records_the_clients_address_behind_the_proxy(settings, client, victim):
    from credit_records.models import AuditEntry

    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        LOGIN,
        {"username": "victim", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    entry = AuditEntry.objects.filter(action="accounts.login_failed").latest("pk")
    assert entry.ip_address == "203.0.113.7"


def test_old_counts_are_purged(victim, clock, settings):
    fail(Client(), "victim", "203.0.113.7", 2)
    clock.advance(2 * 24 * 3600)
    assert login_throttle.purge() == 1
