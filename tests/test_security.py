"""
Hardened deployment (docs/deployment.md#security): production settings that pass
``check --deploy``, the security headers and the Content Security Policy on every response,
HTTPS only in production and never in development, admin sign-in throttling (django-axes)
and the admin's configurable address.

Production settings are read when the settings module is imported, so those tests start
``manage.py`` in a subprocess with the production environment; the rest go through the test
client with the suite's development settings.
"""

import importlib
import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import clear_url_caches
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "catalogue-pass"  # tests/conftest.py gives every staff fixture this password
LOGIN = "/admin/login/"
WRONG = "Please enter the correct username and password"


def production_env(**extra):
    """The environment of a production deployment: DEBUG off, a strong secret, nothing else."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name != "CACHE_URL"
    }
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


# Run inside `manage.py shell` with production settings: requests through Django's test
# client (no server, no database), answers printed as JSON. Static files are looked up without
# the manifest `collectstatic` writes at deploy time: that has nothing to do with security.
PROBE = """
import json
from django.test import Client, override_settings

storages = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
answers = {}
with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="localhost")
    for name, path, extra in [
        ("http", "/robots.txt", {}),
        ("health over http", "/healthz", {}),
        ("https", "/robots.txt", {"secure": True}),
        ("forwarded https", "/robots.txt", {"HTTP_X_FORWARDED_PROTO": "https"}),
        ("login", "/admin/login/", {"secure": True}),
        ("back office", "/back-office/login/", {"secure": True}),
    ]:
        response = client.get(path, **extra)
        answers[name] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.content.decode()[:2000],
            "cookies": {
                key: {"secure": bool(morsel["secure"]), "samesite": morsel["samesite"]}
                for key, morsel in response.cookies.items()
            },
        }
print(json.dumps(answers))
"""


def probe(**extra):
    completed = manage(production_env(**extra), "shell", "-c", PROBE)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing_with_production_settings():
    """With DJANGO_DEBUG=0 and a secret from the environment, `manage.py check --deploy`
    finds nothing to warn about."""
    completed = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout


def test_check_deploy_would_warn_about_weakened_settings():
    """The check is not blind, and the variables reach the settings: switching the HTTPS
    redirect and HSTS preload off makes it warn about both (and fail)."""
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_PRELOAD="0")
    completed = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert completed.returncode != 0
    assert "security.W008" in completed.stdout + completed.stderr
    assert "security.W021" in completed.stdout + completed.stderr


def test_production_is_https_only_with_secure_cookies_and_hsts():
    """In production plain HTTP is redirected to HTTPS (not /healthz); HTTPS answers carry
    HSTS for a year (subdomains, preload), the security headers and the policy; the CSRF
    cookie is Secure."""
    answers = probe()
    assert answers["http"]["status"] == 301
    assert answers["http"]["headers"]["Location"] == "https://localhost/robots.txt"
    # ... except the health check, which load balancers ask over plain HTTP.
    assert answers["health over http"]["status"] != 301
    # Without DJANGO_BEHIND_PROXY a client's X-Forwarded-Proto is not believed.
    assert answers["forwarded https"]["status"] == 301

    https = answers["https"]
    assert https["status"] == 200
    headers = https["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    login = answers["login"]
    assert login["status"] == 200
    assert login["cookies"]["csrftoken"]["secure"] is True


def test_proxy_hsts_and_admin_address_follow_the_environment():
    """DJANGO_BEHIND_PROXY=1 trusts the proxy's X-Forwarded-Proto (no redirect loop); HSTS
    length, subdomains and preload follow their variables; DJANGO_ADMIN_URL moves the admin
    (slashes optional), /admin/ is then not found and robots.txt names the new address."""
    answers = probe(
        DJANGO_BEHIND_PROXY="1",
        DJANGO_HSTS_SECONDS="600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_ADMIN_URL="/back-office",
    )
    forwarded = answers["forwarded https"]
    assert forwarded["status"] == 200
    assert forwarded["headers"]["Strict-Transport-Security"] == "max-age=600"
    assert answers["http"]["status"] == 301

    assert answers["back office"]["status"] == 200
    assert answers["login"]["status"] == 404
    assert "Disallow: /back-office/" in answers["https"]["body"]
    assert "/admin/" not in answers["https"]["body"]


def test_development_serves_plain_http_with_the_policy_and_headers(client, db):
    """In development (the suite's settings, `make run`) nothing is redirected to HTTPS and
    no HSTS is sent, but the policy and the other headers are the same as in production."""
    response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


# --- Admin sign-in throttling ------------------------------------------------------------


def sign_in(client, username, password, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def signed_in(client):
    return client.get("/admin/").status_code == 200


def fail(client, username, times, **extra):
    """``times`` wrong passwords; all but a locking one get the form's usual error."""
    return [sign_in(client, username, "not-the-password", **extra) for _ in range(times)]


def test_five_wrong_passwords_lock_that_username_from_that_address(client, editor, archivist):
    """After five wrong passwords for one username from one address even the right password
    is refused for an hour, with a page that says so; other users and other addresses are
    not locked; `manage.py axes_reset` unlocks."""
    responses = fail(client, "editor", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert all(WRONG in r.content.decode() for r in responses[:4])

    locked = sign_in(client, "editor", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked" in page
    assert "Too many failed sign-ins for “editor”" in page
    assert "locked for 60 minutes" in page
    assert locked.headers["Retry-After"] == "3600"
    assert not signed_in(client)

    # Another user from the same address, and the same user from another address: not locked.
    assert sign_in(client, "archivist", PASSWORD).status_code == 302
    assert signed_in(client)
    client.logout()
    other_address = sign_in(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302
    client.logout()

    assert sign_in(client, "editor", PASSWORD).status_code == 429
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_the_cool_off_hour(client, editor):
    """An hour after the last failure the right password works again."""
    fail(client, "editor", 5)
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, editor):
    """Four wrong passwords, a right one, four more wrong: still not locked."""
    fail(client, "editor", 4)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "editor", 4)] == [200] * 4
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_behind_a_proxy_failures_count_against_the_address_the_proxy_saw(client, editor, settings):
    """Behind one proxy the client's address is the right-most X-Forwarded-For entry: what
    the client writes to the left of it changes nothing, another real address is not locked."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, "editor", 5, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    spoofed = sign_in(
        client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9", **proxy
    )
    assert spoofed.status_code == 429
    other = sign_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert other.status_code == 302


# --- The admin's address -----------------------------------------------------------------


@pytest.fixture
def admin_at(settings):
    """Move the admin to another address for one test, as DJANGO_ADMIN_URL would."""
    import archive.urls

    def move(address):
        settings.ADMIN_URL = address
        importlib.reload(archive.urls)
        clear_url_caches()

    yield move
    settings.ADMIN_URL = "admin/"
    importlib.reload(archive.urls)
    clear_url_caches()


def test_the_admin_answers_at_its_configured_address_only(client, editor, admin_at):
    """With ADMIN_URL "back-office/" the admin, its sign-in and robots.txt's rule move there;
    /admin/ is not found."""
    admin_at("back-office/")
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    response = client.get("/back-office/login/")
    assert response.status_code == 200
    assert 'action="/back-office/login/"' in response.content.decode()
    signed = client.post(
        "/back-office/login/",
        {"username": "editor", "password": PASSWORD, "next": "/back-office/"},
    )
    assert signed.status_code == 302
    assert client.get("/back-office/").status_code == 200
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /back-office/" in robots
    assert "Disallow: /admin/" not in robots
