"""Commons settings. Everything that varies between machines comes from the
environment (see README "Configuration"); nothing secret lives here."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    ConfigurationError,
    cache_config,
    channel_layers,
    database_config,
    database_pool_size,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Fail fast: a production server must never run on a guessable key.
    # `make run` and the test settings set an explicit development key.
    raise ConfigurationError("SECRET_KEY must be set (see README, Configuration)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "guardian",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "kernel",
    "members",
    "governance",
    "proposals",
    "treasury",
    "realtime",
    "debates",
    "contributions",
    "demo",
]

# Under Daphne the whole chain runs synchronously, in one hop to the request's
# thread (config/asgi_http.py): every middleware here must be able to run
# synchronously (tests/test_request_path.py). Static files are answered before
# Django, at the ASGI level, so no middleware serves them.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kernel.views.UnstorableInputMiddleware",
    "kernel.views.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "governance.context_processors.journal_head",
            ],
        },
    },
]

# Threads per server process that run requests (views and middleware); more
# requests wait for one. Each holds at most one database connection, so the
# pool defaults to one connection per thread that can hold one (config/env.py).
REQUEST_THREADS = env_int("REQUEST_THREADS", 8, minimum=1)
DATABASES = {
    "default": database_config(
        os.environ.get("DATABASE_URL"),
        base_dir=BASE_DIR,
        pool_size=database_pool_size(REQUEST_THREADS),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL") or None
CHANNEL_LAYERS = channel_layers(REDIS_URL)
CACHES = cache_config(REDIS_URL)

AUTH_USER_MODEL = "members.Member"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "members:dashboard"
LOGIN_URL = "account_login"

# Accounts (django-allauth)
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address (in the browser that signed up) logs the person in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
# A person signing up is told plainly that an address is taken (a clear form
# error), at the cost of revealing that the address has an account; member
# lists are members-only anyway. A password reset says the same thing either
# way (members.forms.ResetPasswordForm).
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "members.forms.LoginForm",
    "reset_password": "members.forms.ResetPasswordForm",
    "signup": "members.forms.SignupForm",
}
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 5 per account in 5 minutes (guessing one password), and
    # a much higher ceiling per address, so that one person mistyping in a
    # shared room (a library, an association's office) cannot lock everyone
    # there out. The token endpoint counts on the same limits (members/api.py).
    "login_failed": "5/5m/key,60/5m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# django-guardian: no anonymous pseudo-member in the directory.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# Email: console by default so sign-up works on a bare machine.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Commons <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people can write to the community: the Reply-To of account emails and
# the address they name. Emails are sent from DEFAULT_FROM_EMAIL's address
# under the community's name (members.adapters).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")

# Internationalisation
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# The site's language: for visitors whose browser asks for none of LANGUAGES,
# and for emails and the daily digest (members have no language of their own).
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", [code for code, _name in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "locale"]
# The community's time zone: every date and time is shown in it, named
# (kernel/dates.py). Stored times are UTC whatever it is.
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files: the proxy serves /static/ from STATIC_ROOT in production; every
# Daphne process also answers it itself at the ASGI level, with WhiteNoise's
# index and headers (config/asgi_http.py), so `make run` and a bare node work.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body accepted at all (config/asgi_guards.py): a receipt
# of 10 MB and its form. Larger declared bodies are refused (413) unread.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 11 * 1024 * 1024, minimum=1024)
# Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses
# or networks, comma-separated (config/asgi_guards.py). Empty: none, and
# those headers are ignored from everyone.
TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")

# API
REST_FRAMEWORK = {
    # Missing or wrong credentials are a 403 (code `not_authenticated` or
    # `authentication_failed`): the first authentication, the session, has no
    # WWW-Authenticate challenge, which a 401 must carry (config/api.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "members.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Lists every error each operation can answer (config/api_schema.py).
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    # Bodies are JSON, whose values carry their types (kernel/serializers.py);
    # a form body could not carry the lists and numbers the API takes.
    "DEFAULT_PARSER_CLASSES": ["config.api.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # The client's address is REMOTE_ADDR, already taken from a trusted proxy's
    # header by config/asgi_guards.py; DRF must not read X-Forwarded-For itself.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commons API",
    "DESCRIPTION": "Governance, proposals and public treasury of a Commons community.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Pages must work with no internet: Swagger UI comes from a package.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `<id:…>` in a URL (kernel.ids.IdConverter): a row's key; others are 404.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # One name for a choice set that several serializers share.
    "ENUM_NAME_OVERRIDES": {"AppointedRoleEnum": "members.roles.APPOINTED_ROLES"},
}

# Database guards: "database" (PostgreSQL's own clock) in production;
# "application" lets test suites move time (kernel/clock.py; refused by
# `check --deploy`).
GUARD_CLOCK = env_choice("GUARD_CLOCK", "database", ["database", "application"])

# Community
# The public address, for links in emails (notifications, daily digest).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
COMMUNITY_NAME = os.environ.get("COMMUNITY_NAME", "Commons")
CURRENCY = os.environ.get("CURRENCY", "EUR")
# Seconds between automatic governance ticks inside each server process; 0
# disables it (then run `manage.py governance_tick` from cron or systemd).
GOVERNANCE_TICK_SECONDS = int(os.environ.get("GOVERNANCE_TICK_SECONDS", "60"))
# Running tallies reach debate readers at most this often per proposal and
# server process (seconds; 0: one event per ballot, right after its commit).
REALTIME_TALLY_INTERVAL = float(os.environ.get("REALTIME_TALLY_INTERVAL", "0.25"))
# Every this many seconds each server renews its stream subscriptions (Redis
# forgets them when it restarts) and tells each live reader the stream's
# latest number, so readers behind it catch up and browsers detect dead lines.
REALTIME_HEARTBEAT_SECONDS = float(os.environ.get("REALTIME_HEARTBEAT_SECONDS", "15"))
# Debate sockets of visitors without an account, per client address and server
# process (0: no limit). Behind a proxy, list it in TRUSTED_PROXIES so the
# address is the visitor's, not the proxy's (config/asgi_guards.py; never
# Daphne's --proxy-headers, which believes any client's header).
REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = int(
    os.environ.get("REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS", "50")
)

# Security: production defaults; every one is documented in the README.
# No SECURE_PROXY_SSL_HEADER: the scheme comes from a trusted proxy through
# config/asgi_guards.py, which drops X-Forwarded-Proto from anyone else.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # Subdomains may be other services of the association; opt in explicitly.
    "security.W005",
    # Preload is an irrevocable promise that the operator must make knowingly.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        # Django's own default config gives its loggers a console handler of
        # their own while DEBUG is on: with the root's, every line came twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
