"""
Settings for the archive catalogue.

One module, configured by environment variables with safe development defaults:

- ``DATABASE_URL``: any URL dj-database-url understands; default is the embedded SQLite file
  ``db.sqlite3`` beside manage.py. Production: ``postgres://user:pass@host:5432/name``.
- ``DJANGO_SECRET_KEY``: required when ``DJANGO_DEBUG`` is off.
- ``DJANGO_DEBUG``: ``1`` (default, development) or ``0``.
- ``DJANGO_ALLOWED_HOSTS``: comma-separated; default ``127.0.0.1,localhost``.
- ``SITE_NAME``: the name shown in page titles and citations.
- ``CACHE_URL``: ``redis://host:6379/1`` for a Redis cache shared by every process.  Without
  it, development (``DJANGO_DEBUG=1``) caches in local memory, one cache per process, and
  production caches nothing: a per-process cache behind several workers could serve a page
  from before a publish.

Security (docs/deployment.md#security): ``DJANGO_ADMIN_URL`` (default ``admin/``),
``DJANGO_BEHIND_PROXY``, ``DJANGO_PROXY_COUNT``, ``DJANGO_CSRF_TRUSTED_ORIGINS``,
``DJANGO_AXES_FAILURE_LIMIT``, ``DJANGO_AXES_COOLOFF_HOURS``; with ``DJANGO_DEBUG=0`` also
``DJANGO_SECURE_SSL_REDIRECT``, ``DJANGO_SECURE_COOKIES``, ``DJANGO_HSTS_SECONDS``,
``DJANGO_HSTS_INCLUDE_SUBDOMAINS`` and ``DJANGO_HSTS_PRELOAD``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a boolean from the environment: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Form widgets' templates found through TEMPLATES (FORM_RENDERER below).
    "django.forms",
    # /sitemap.xml; the domain comes from the request (no django.contrib.sites).
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalog",
    # Content Security Policy header; failed admin sign-ins counted and locked out.
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in user on every history entry the request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lost database connection is a friendly 503, not a 500 (docs/reliability.md).
    "catalog.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalog.context_processors.site",
            ],
        },
    },
    # Only the rows and facets of document lists (templates/jinja2/), drawn inside Django
    # templates by {% jinja2 %} (catalog/templatetags/catalog_jinja2.py): drawn many times a
    # page, they are where speed tells (docs/performance.md). Autoescaping is on, and a
    # missing attribute renders empty, as with the template language.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
    },
]

# Widgets render with the project's templates too (catalog/widgets/select.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytical queries, but the catalogue's are
    # short, and past PostgreSQL's cost threshold (a list page at 1,000,000 documents) the
    # compiling alone took 11 ms a query (docs/performance.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url, *, debug):
    """
    ``CACHES["default"]`` for ``url``: redis:// or rediss:// → Redis; none → local memory in
    development, no cache in production (see the module's docstring).
    """
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url:
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {url!r}.")
    if debug:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


# Public pages are cached whole and invalidated on every change (catalog/cache.py,
# docs/performance.md#caching).
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""), debug=DEBUG)}

# django-axes' backend first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

SITE_NAME = os.environ.get("SITE_NAME", "Archive Catalogue")

# Public lists show this many records a page.
CATALOG_PAGE_SIZE = 25

# OAI-PMH at /oai/ (docs/oai-pmh.md): the <host> in oai:<host>:record/<id> (empty: the request's
# host), the contact address harvesters see, and records a page.
OAI_REPOSITORY_IDENTIFIER = os.environ.get("OAI_REPOSITORY_IDENTIFIER", "")
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "archive@example.org")
OAI_PAGE_SIZE = 100

# The read-only JSON API under /api/ (catalog/api/, docs/api.md): JSON only, no sign-in (it
# shows what the public site shows), pages as long as the HTML lists'.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "catalog.api.pagination.CataloguePagination",
    "PAGE_SIZE": CATALOG_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "Read-only access to the published catalogue: documents (searched and "
    "filtered as on the document list), people, collections, archives and rights statements.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Swagger UI from this site's static files (drf-spectacular-sidecar), never a CDN; no
    # badge fetched from the online validator either.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Security (docs/deployment.md#security) ------------------------------------------------

# Where the admin answers: "admin/" unless DJANGO_ADMIN_URL says otherwise ("back-office/").
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip().strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must not be empty: the public site is at /.")

# Behind a reverse proxy or load balancer that terminates TLS: trust its X-Forwarded-Proto
# (it must set or overwrite the header) and take the client's address from X-Forwarded-For,
# DJANGO_PROXY_COUNT entries from the right (one per proxy in front of the app).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1")) if BEHIND_PROXY else 0

CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# Headers on every response, in development too (so what breaks, breaks early).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script or style (the record page's JSON-LD block is data, which CSP leaves alone),
# no plug-ins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Admin sign-in throttling (django-axes): after DJANGO_AXES_FAILURE_LIMIT wrong passwords for
# one username from one address, that username is refused from that address for
# DJANGO_AXES_COOLOFF_HOURS; a successful sign-in clears the count. `manage.py axes_reset`
# (or axes_reset_username, axes_reset_ip) unlocks at once.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(hours=float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "archive.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "archive.security.client_ip"

if not DEBUG:
    # Production: HTTPS only. Turn the redirect off only where the proxy already redirects.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe the app directly over plain HTTP: the health check answers them.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    # HSTS: browsers use HTTPS only for this long (default one year). Subdomains and preload
    # are on by default (what `check --deploy` asks); switch them off if any subdomain of this
    # host still serves plain HTTP (docs/deployment.md#https-and-hsts).
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
