"""Settings for the test suite and the Daphne servers that browser tests start.

They are the production settings with a throwaway key, plain HTTP on loopback
and fast password hashing; everything else (database, channel layer) follows
the same environment variables as production.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("GOVERNANCE_TICK_SECONDS", "0")
# A tally event right after each ballot's commit, so tests need not wait; the
# coalesced announcement has its own tests.
os.environ.setdefault("REALTIME_TALLY_INTERVAL", "0")
# Tests move time with time-machine; the guards must see it move too.
os.environ.setdefault("GUARD_CLOCK", "application")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SECURE_HSTS_SECONDS = 0
# Each test starts with fresh rate-limit counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
ALLOW_GUARDED_FLUSH = True

# Several test runs may share a checkout (e.g. developers running app suites in
# parallel): TEST_DB_NAME gives each its own SQLite file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": BASE_DIR / f"test-db-{os.environ.get('TEST_DB_NAME', 'main')}.sqlite3"  # noqa: F405
    }
