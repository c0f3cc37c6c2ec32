"""Every page every demo role can reach, read as its user reads it (issue 11 item 3).

The demo data (``manage.py seed_demo``) is loaded once; then, for each role, the walk GETs every
URL pattern of the resolver it can fill — parameterless patterns directly, the others with ids
taken from the links the pages themselves show and, for patterns no page links to, from the
fixture objects of the pattern's app — and reads the visible text of each HTML page (tags,
scripts, styles and attributes stripped). A page fails when that text shows an internal rule
code (``jiaxian.D.1``), a model label (``grading.Cycle #7``, ``Cycle object (7)``), an ISO date
(``2024-09-27`` instead of 2024年9月27日) or an English word of the catalogue; any 5xx fails too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404

from employers.choices import Role
from employers.models import User

pytestmark = pytest.mark.django_db

RULE_CODE = re.compile(r"\b(jiaxian|xiqing|jiangjin|xuchang)\.[A-Z]")
MODEL_LABEL = re.compile(r"\b\w+\.\w+ #\d+|\bobject \(\d+\)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ASCII_WORD = re.compile(r"(?<![\w./@-])[A-Za-z][a-z]{3,}(?![\w.@/-])")

# English words that are fine on a Chinese page: file formats, brands, units.
ALLOWED_WORDS = {"excel", "word", "chromium", "bearer", "json", "https", "http", "token"}

# One demo account per role (seed_demo's names).
ROLE_ACCOUNTS = {
    Role.INSPECTOR: "inspector_jiaxian",
    Role.SUPERVISOR: "supervisor_jiaxian",
    Role.PUBLISHER: "publisher_jiaxian",
    Role.EMPLOYER: "employer_demo",
    Role.AUDITOR: "auditor",
    Role.SYSADMIN: "sysadmin",
    Role.CONSULTEE: "consultee_jiaxian_trade_union",
}

# Not pages: they act, stream files or belong to Django/the API rather than to this UI.
SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/accounts/logout/", "/static/", "/platform-stub/")
MAX_PER_PATTERN = 3
MAX_PAGES_PER_ROLE = 400


def catalogue_words() -> set[str]:
    """The English words of the catalogue's translations (locale/en), lower case."""
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    words = set()
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr") or (line.startswith('"') and not line.startswith('""')):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", line))
    words -= {"msgstr", "content", "type", "charset", "plain", "text", "utf"}
    return words - ALLOWED_WORDS


class VisibleText(HTMLParser):
    """Text a user sees: no tags, attributes, scripts, styles or templates. Machine text — what
    the user types or copies as is: ``<code>``, ``<kbd>``, ``<samp>``, a ``<textarea>``'s
    content, anything marked ``translate="no"`` (commands, file headers, package names, the
    one-date-per-line input of the calendar) — is kept apart: it is still checked for rule codes
    and model labels, not for English words or ISO dates."""

    HIDDEN = {"script", "style", "template", "noscript"}
    MACHINE = {"code", "kbd", "samp", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.machine_parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, str]] = []  # (tag, "hidden" | "machine")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # Text marked as another language (the footer's "English" switch) is not a leak.
        if tag in self.HIDDEN or (attributes.get("lang") or "").startswith("en"):
            self._stack.append((tag, "hidden"))
        elif tag in self.MACHINE or attributes.get("translate") == "no":
            self._stack.append((tag, "machine"))
        if tag == "a":
            href = attributes.get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_data(self, data):
        kinds = {kind for _, kind in self._stack}
        if "hidden" in kinds:
            return
        (self.machine_parts if "machine" in kinds else self.parts).append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    @property
    def machine_text(self) -> str:
        return " ".join(" ".join(self.machine_parts).split())


def problems_in(text: str, english: set[str], machine_text: str = "") -> list[str]:
    found = []
    checks = (
        ("规则代码", RULE_CODE, text + " " + machine_text),
        ("模型标签", MODEL_LABEL, text + " " + machine_text),
        ("ISO日期", ISO_DATE, text),
    )
    for label, pattern, where in checks:
        for match in pattern.finditer(where):
            start = max(0, match.start() - 30)
            found.append(f"{label}: …{where[start : match.end() + 30]}…")
    for match in ASCII_WORD.finditer(text):
        if match.group(0).lower() in english:
            start = max(0, match.start() - 30)
            found.append(f"英文: {match.group(0)!r} in …{text[start : match.end() + 30]}…")
    return found


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name, converters) for every pattern of the URL conf."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from url_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name, entry.pattern.converters


def fixture_urls(name: str, converters: dict) -> list[str]:
    """URLs of a parameterised pattern filled with ids of the demo objects of its app."""
    app_label = name.split(":")[0] if ":" in name else ""
    app_label = {"accounts": "employers", "imports": "employers"}.get(app_label, app_label)
    try:
        models = list(apps.get_app_config(app_label).get_models()) if app_label else []
    except LookupError:
        models = []
    candidates = []
    for model in models:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            candidates.append(first)
    urls = []
    keys = list(converters)
    for obj in candidates:
        kwargs = {}
        for key in keys:
            if key in ("pk", "id") or key.endswith("_pk") or key.endswith("_id"):
                kwargs[key] = obj.pk
            elif key == "year":
                kwargs[key] = getattr(obj, "year", None) or 2025
            elif key in ("fmt", "format"):
                kwargs[key] = "csv"
            else:
                value = getattr(obj, key, None)
                if value is None:
                    break
                kwargs[key] = value
        else:
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
        if len(urls) >= 2:
            break
    return urls


def walk(client, english) -> tuple[dict, list[str], int]:
    """GET every reachable page; returns ({url: [problems]}, [5xx urls], pages read)."""
    seen_per_route = defaultdict(int)
    visited, queue, bad, errors = set(), [], {}, []
    patterns = list(url_patterns())
    for _route, name, converters in patterns:
        if not converters:
            try:
                queue.append(reverse(name))
            except NoReverseMatch:
                pass
    queue.insert(0, "/")

    def read(url):
        nonlocal bad
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url} → {response.status_code}")
            return
        if response.status_code != 200:
            return
        if "text/html" not in response.get("Content-Type", ""):
            return
        parser = VisibleText()
        parser.feed(response.content.decode("utf-8", "replace"))
        found = problems_in(parser.text, english, parser.machine_text)
        if found:
            bad[url] = found
        for href in parser.links:
            href, _ = urldefrag(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))

    def visit_queue():
        while queue and len(visited) < MAX_PAGES_PER_ROLE:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in visited or path.startswith(SKIP_PREFIXES):
                continue
            try:
                match = resolve(path)
            except Resolver404:
                continue
            route = match.route + ("?" if "?" in url else "")
            if seen_per_route[route] >= MAX_PER_PATTERN:
                continue
            seen_per_route[route] += 1
            visited.add(url)
            read(url)

    visit_queue()
    # Patterns no page linked to: fill them from the fixture objects.
    reached = {r.rstrip("?") for r in seen_per_route}
    for route, name, converters in patterns:
        if converters and route not in reached:
            queue.extend(fixture_urls(name, converters))
    visit_queue()
    return bad, errors, len(visited)


@pytest.fixture
def demo(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", employers=8, stdout=StringIO())


def test_every_role_sees_no_codes_labels_iso_dates_or_english(demo, client):
    # User names are typed by the sysadmin, not translated: "auditor" is a name here.
    english = catalogue_words() - {
        part.lower()
        for name in User.objects.values_list("username", flat=True)
        for part in name.split("_")
    }
    report = []
    for role, username in ROLE_ACCOUNTS.items():
        user = User.objects.get(username=username)
        client.force_login(user)
        bad, errors, count = walk(client, english)
        assert count > 3, f"{username}: only {count} pages reached"
        for url in errors:
            report.append(f"[{role}] 服务器错误 {url}")
        for url, found in sorted(bad.items()):
            for problem in found[:5]:
                report.append(f"[{role}] {url}: {problem}")
        client.logout()
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("依据 jiaxian.D.1 评为D级", "规则代码"),
        ("grading.Cycle #7 已公布", "模型标签"),
        ("Cycle object (7)", "模型标签"),
        ("公示期 2026-10-19 至", "ISO日期"),
        ("状态：approved", "英文"),
        ("2026年10月19日 郏县 A级 91410425MA0000001X PDF", None),
    ],
)
def test_the_checks_catch_what_they_should(text, expected):
    found = problems_in(text, catalogue_words())
    if expected is None:
        assert found == []
    else:
        assert found and found[0].startswith(expected)
