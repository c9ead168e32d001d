"""Gemba's one settings file: every value comes from the environment (see .env.example).

Development needs nothing set. Production is DJANGO_DEBUG=false, which then insists on
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS and turns on every transport-security setting.
"""

import hashlib
import importlib.util
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# With DEBUG on, unknown addresses get the portal's 404 page; true shows Django's list of URL patterns.
GEMBA_DEBUG_URL_LIST = env.bool("GEMBA_DEBUG_URL_LIST", default=False)
VERSION = __version__

# A fixed key is only tolerable while DEBUG is on; production refuses to start without its own.
_DEVELOPMENT_SECRET_KEY = "django-insecure-gemba-development-only-never-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG=false Gemba needs a secret key of "
            "50 or more random characters, for example from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

# The key that turns a respondent into an anonymous respondent key (HMAC) while a round is open.
# A secret of its own: whoever holds SECRET_KEY (session signing) must not also be able to find
# which open response is whose, and rotating SECRET_KEY must not orphan survey drafts. Only in
# development is it derived from SECRET_KEY when unset; production refuses to start without it.
RESPONDENT_KEY_SECRET = env.str("GEMBA_RESPONDENT_SECRET", default="")
if not RESPONDENT_KEY_SECRET:
    if not DEBUG:
        raise ImproperlyConfigured(
            "GEMBA_RESPONDENT_SECRET is not set. With DJANGO_DEBUG=false Gemba needs a secret of its "
            "own for the anonymous respondent keys (not DJANGO_SECRET_KEY), for example from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    import hashlib
    import hmac

    RESPONDENT_KEY_SECRET = hmac.new(SECRET_KEY.encode(), b"gemba-respondent-key", hashlib.sha256).hexdigest()
elif RESPONDENT_KEY_SECRET == SECRET_KEY:
    raise ImproperlyConfigured("GEMBA_RESPONDENT_SECRET must differ from DJANGO_SECRET_KEY.")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "simple_history",
    "ninja",
    "django_tasks_db",
    "audit",
    "teams",
    "assessments",
    "delivery",
    "improvements",
    "notifications",
    "accounts",
    "mozilla_django_oidc",
    "portal",
]
# The development tools (seeds, bench, load test) live in a checkout, never in the wheel.
if importlib.util.find_spec("devtools") is not None:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the cookie or the browser; PersonPreferences below puts the person's own.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.FriendlyNotFoundInDebug",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PersonPreferences",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.ProviderRecheck",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["portal.routers.ViewsHoldNoData"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # For the planner, what Gemba's queries are: short (no JIT compilation, which suits long
    # reports and cost the tallies of a round of 4,000 teams a second each to compile), on SSDs
    # (random reads cost little more than sequential ones: PostgreSQL's default of 4 assumes
    # spinning disks, and made closing that round read all its 16 million answers instead of
    # its own through their index). A DATABASE_URL ?options= replaces both.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the server answer while another request or a command writes;
    # IMMEDIATE transactions take the write lock up front, so two writers queue on the timeout
    # instead of one failing at once with "database is locked" when it upgrades a read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files in the project folder by default: the web server and the worker share them (what the
# worker prepares after a close is there for the first view) and they outlive a restart. Several
# app servers share Redis instead (CACHE_URL=rediscache://…).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    CACHES["default"]["BACKEND"] = "caching.backends.FolderCache"  # culls once a minute, not per write
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "FileBasedCache", "FolderCache")):
    # Django's default of 300 entries is less than one entry per team of a large org: the
    # delivery keys and charts of 4,000 teams would push each other out (CACHE_URL
    # …?MAX_ENTRIES= overrides).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
# One cache may serve several databases (the demo's, the bench's, another Gemba on the same Redis):
# each database's entries are apart.
CACHES["default"].setdefault(
    "KEY_PREFIX",
    "gemba-"
    + hashlib.sha256(
        repr([DATABASES["default"].get(part) for part in ("ENGINE", "NAME", "HOST", "PORT")]).encode()
    ).hexdigest()[:12],
)

# Argon2 (memory-hard; Django's recommended hasher) signs people in in a fraction of PBKDF2's CPU
# time at least as safely; older PBKDF2 hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGOUT_REDIRECT_URL_PATH = "/accounts/login/"

# --- Single sign-on (OpenID Connect, mozilla-django-oidc); off unless an issuer is set.
GEMBA_OIDC_ISSUER = env.str("GEMBA_OIDC_ISSUER", default="").rstrip("/")
GEMBA_OIDC_NAME = env.str("GEMBA_OIDC_NAME", default="single sign-on")
GEMBA_OIDC_GROUPS_CLAIM = env.str("GEMBA_OIDC_GROUPS_CLAIM", default="groups")
# The claim whose value is the username of a person a directory import brought (first sign-in links).
GEMBA_OIDC_LINK_CLAIM = env.str("GEMBA_OIDC_LINK_CLAIM", default="preferred_username")
GEMBA_OIDC_GROUP_MAP = env.str(
    "GEMBA_OIDC_GROUP_MAP", default="gemba-{team}-leads -> lead; gemba-{team} -> member"
)
# SCIM 2.0 provisioning at /scim/v2/ (accounts.scim): the bearer token the identity provider
# sends; empty, SCIM is off. A long random value: secrets.token_urlsafe(32) (README).
GEMBA_SCIM_TOKEN = env.str("GEMBA_SCIM_TOKEN", default="")
# Seconds after which a signed-in person's account is checked again at the provider.
GEMBA_OIDC_RECHECK_SECONDS = env.int("GEMBA_OIDC_RECHECK_SECONDS", default=900)
GEMBA_PASSWORD_LOGIN = env.bool("GEMBA_PASSWORD_LOGIN", default=True)
OIDC_RP_CLIENT_ID = env.str("GEMBA_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("GEMBA_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("GEMBA_OIDC_SCOPES", default="openid email profile groups")
OIDC_RP_SIGN_ALGO = env.str("GEMBA_OIDC_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("GEMBA_OIDC_TIMEOUT_SECONDS", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
# Always listed: without GEMBA_OIDC_ISSUER it has nothing to do and signs nobody in.
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.Backend"]

# Login lockout (django-axes): keyed on username and IP together, so one attacker cannot lock
# a colleague out from elsewhere; lifted after the cool-off.
AXES_FAILURE_LIMIT = env.int("GEMBA_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GEMBA_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.lockout.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("GEMBA_PROXY_COUNT", default=0) or None

# English is the source; each language has its catalog in locale/ (README: Adding a language).
# Written in their own language: the chooser offers each by the name its speakers know.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("ca", "Català")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How each language writes a day and a moment (portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_COOKIE_NAME = "gemba_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = env.str("GEMBA_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Django 6.1 mailers, built from one EMAIL_URL (consolemail://, smtp://, smtp+tls://, smtp+ssl://).
# Development prints mail to the console; production defaults to the local MTA on port 25.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in _email_options.items() if value not in (None, "")},
    }
}
# Background work (Django's Tasks framework): a queue kept in the database by default, so SQLite
# and PostgreSQL both work with no other server; `manage.py worker` runs the tasks (make run starts
# one). GEMBA_TICK_SECONDS: how often a worker looks for due work (rounds to close and score).
# /healthz answers 503 when a ready task, or a round past its close, has waited longer than
# GEMBA_QUEUE_STALE_SECONDS: no worker is running, or none keeps up.
TASKS = {"default": {"BACKEND": env.str("GEMBA_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
GEMBA_TICK_SECONDS = env.int("GEMBA_TICK_SECONDS", default=60)
GEMBA_QUEUE_STALE_SECONDS = env.int("GEMBA_QUEUE_STALE_SECONDS", default=600)
# Chat webhooks must be https://, except where this allows http:// (tests, a local relay).
GEMBA_CHAT_ALLOW_HTTP = env.bool("GEMBA_CHAT_ALLOW_HTTP", default=False)

# Retention: raw answers of rounds that ended more than this many years ago are purged by
# `manage.py purge_answers` (run it from cron); stored scores stay. 0 keeps answers forever.
GEMBA_ANSWER_RETENTION_YEARS = env.int("GEMBA_ANSWER_RETENTION_YEARS", default=0)

# Public address of this Gemba, for links in emails sent from commands (no request to take it from).
GEMBA_BASE_URL = env.str("GEMBA_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gemba <gemba@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Delivery API: requests each API token may make per period (seconds), counted in the cache;
# a limit of 0 switches the limit off. The DORA keys count deployments to these environments
# (stored in lower case; an empty list counts every environment).
GEMBA_API_RATE_LIMIT = env.int("GEMBA_API_RATE_LIMIT", default=120)
GEMBA_API_RATE_PERIOD = env.int("GEMBA_API_RATE_PERIOD", default=60)
# How long computed delivery keys are reused while no deployment or incident of the team changes
# (any change is seen at once): the rolling window's far edge lags by at most this. 0: no cache.
# Above this many teams the org page opens on its groups (a row per group); ?view=teams shows all.
GEMBA_ORG_TEAMS_AT_ONCE = env.int("GEMBA_ORG_TEAMS_AT_ONCE", default=500)
GEMBA_DELIVERY_CACHE_SECONDS = env.int("GEMBA_DELIVERY_CACHE_SECONDS", default=3600)
GEMBA_DELIVERY_ENVIRONMENTS = [
    name.strip().lower()
    for name in env.list("GEMBA_DELIVERY_ENVIRONMENTS", default=["production", "prod"])
    if name.strip()
]

# --- Security headers. CSP applies in development too, so a stray inline script shows up early.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # Inline SVG charts carry a <style> element; it gets the per-request nonce.
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Set when TLS ends at a reverse proxy that sends X-Forwarded-Proto (and strips it from clients).
if env.bool("DJANGO_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django's own logging config gives the "django" logger a console handler of its own (with DEBUG
# on), and records also propagate to the root's: every 403 was written twice, each time with the
# traceback of its PermissionDenied. Here "django" has no handler of its own (one line, once, via
# the root), and 4xx lines come without a traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client_tracebacks": {"()": "portal.log_filters.NoTracebackForClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_client_tracebacks"]},
    },
    "root": {"handlers": ["console"], "level": env.str("GEMBA_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
