"""The checks of the production smoke test (run by .ci/smoke-production against gunicorn).

Usage: smoke_production.py BASE_URL

Every request carries ``X-Forwarded-Proto: https``, as the documented nginx in front of gunicorn
sends it, so the production settings (HTTPS only) answer instead of redirecting. Exits 1 naming
each check that failed.
"""

import gzip
import re
import sys
import urllib.error
import urllib.request

HASHED_CSS = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')
STATIC_REF = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fetch(base: str, path: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def main(base: str) -> int:
    failures: list[str] = []

    def check(condition: bool, message: str) -> bool:
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            failures.append(message)
        return condition

    status, _headers, body = fetch(base, "/accounts/login/")
    login = body.decode("utf-8", "replace")
    check(status == 200, f"login page answers 200 (got {status})")
    check("用户登录" in login and 'name="csrfmiddlewaretoken"' in login, "login page is the form")
    stylesheet = HASHED_CSS.search(login)
    check(stylesheet is not None, "login page links the stylesheet by its hashed name")

    status, _headers, body = fetch(base, "/public/")
    public = body.decode("utf-8", "replace")
    check(status == 200, f"public page answers 200 (got {status})")
    check("守法诚信等级评价结果公布" in public, "public page shows its Chinese title")

    if stylesheet:
        path = stylesheet.group(1)
        status, headers, body = fetch(base, path, **{"Accept-Encoding": "gzip"})
        check(status == 200, f"stylesheet {path} answers 200 (got {status})")
        check(headers.get("Content-Type", "").startswith("text/css"), "stylesheet is text/css")
        check("immutable" in headers.get("Cache-Control", ""), "hashed stylesheet is immutable")
        encoded = headers.get("Content-Encoding") == "gzip"
        check(encoded, "stylesheet is served compressed (gzip)")
        css = gzip.decompress(body) if encoded else body
        check(b".app-navbar" in css, "stylesheet is the application's")

    for ref in sorted(set(STATIC_REF.findall(login + public))):
        status, _headers, _body = fetch(base, ref)
        check(status == 200, f"{ref} answers 200 (got {status})")

    status, _headers, body = fetch(base, "/no-such-page/")
    missing = body.decode("utf-8", "replace")
    check(status == 404, f"unknown page answers 404 (got {status})")
    check("页面不存在" in missing, "404 page is the Chinese template")
    check(HASHED_CSS.search(missing) is not None, "404 page links the hashed stylesheet")

    status, _headers, _body = fetch(base, "/media/publication/1/list.pdf")
    check(status == 404, f"nothing is served from /media/ (got {status})")

    if failures:
        print(f"production smoke test: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("production smoke test: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/")))
