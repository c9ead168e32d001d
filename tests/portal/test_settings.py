"""Production settings, checked in a fresh interpreter with only the documented variables set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p" * 20 + "-Zq8#vX2!mK9$wL4^nB7&cR1*tY6(uJ3)eH5_sD0+fG",
    "DJANGO_ALLOWED_HOSTS": "gemba.example.com",
    "GEMBA_RESPONDENT_SECRET": "r" * 20 + "-Yq7#wX3!nK8$vL5^mB6&dR2*uY7(tJ4)fH6_aD9+gG",
}


def run_django(code_or_args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GEMBA_"))}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **extra_env})
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(["manage.py", "check"], {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_respondent_secret():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "GEMBA_RESPONDENT_SECRET"}
    result = run_django(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "GEMBA_RESPONDENT_SECRET is not set" in result.stderr


def test_production_refuses_a_respondent_secret_equal_to_the_secret_key():
    env = {**PRODUCTION_ENV, "GEMBA_RESPONDENT_SECRET": PRODUCTION_ENV["DJANGO_SECRET_KEY"]}
    result = run_django(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "must differ from DJANGO_SECRET_KEY" in result.stderr


def test_development_respondent_secret_is_derived_not_the_secret_key():
    result = run_django(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "secret = settings.RESPONDENT_KEY_SECRET; "
            "print(secret != settings.SECRET_KEY and len(secret))",
        ],
        {"DJANGO_DEBUG": "true"},
    )
    assert result.stdout.strip() == "64", result.stderr


def test_check_deploy_is_clean_with_only_the_documented_variables():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


PROBE = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)  # an in-memory database: /healthz reads the task queue
from django.conf import settings
from django.test import Client
response = Client().get("/healthz", secure=True, headers={"host": "gemba.example.com"})
insecure = Client().get("/healthz", headers={"host": "gemba.example.com"})
print(json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.headers.get("Location"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_cookie_samesite": settings.SESSION_COOKIE_SAMESITE,
    "csrf_cookie_samesite": settings.CSRF_COOKIE_SAMESITE,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


@pytest.fixture(scope="module")
def production():
    result = run_django(["-c", PROBE], {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_and_security_headers(production):
    headers = production["headers"]
    assert production["status"] == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_production_csp_forbids_inline_scripts_objects_and_base(production):
    csp = production["headers"]["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in csp


def test_production_redirects_plain_http_and_secures_cookies(production):
    assert production["insecure_status"] == 301
    assert production["insecure_location"].startswith("https://")
    assert production["session_cookie_secure"] and production["csrf_cookie_secure"]
    assert production["session_cookie_httponly"]
    assert production["session_cookie_samesite"] == "Lax" and production["csrf_cookie_samesite"] == "Lax"
    assert production["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_tls_proxy_switch_trusts_forwarded_proto():
    probe = (
        "import django; django.setup(); from django.test import Client; "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "r = Client().get('/healthz', headers={'host': 'gemba.example.com', 'x-forwarded-proto': 'https'}); "
        "print(r.status_code)"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///:memory:", "DJANGO_TLS_PROXY": "true"}
    result = run_django(["-c", probe], env)
    assert result.stdout.strip().splitlines()[-1] == "200", result.stderr


def test_csp_applies_in_development_too(client, db):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
