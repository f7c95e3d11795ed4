"""Settings for the load run (bench/README.md "load"): production settings with the limits
that a load generator on one address would trip raised or switched off.

    PYTHONPATH=bench/load DJANGO_SETTINGS_MODULE=settings_load uv run gunicorn cchc.wsgi ...

- public lookup/submit/miss throttles off: every simulated citizen comes from 127.0.0.1,
  whereas in production each has an address of its own (the limits are per address);
- throttle counters in local memory (the database cache would add a write per public request);
- static files through the plain storage (no `collectstatic` with compression needed for a
  run; whitenoise serves them the same way);
- no HTTPS redirect (the run is plain HTTP on the loopback).
Nothing else changes: DEBUG off, the database cache, sessions in the database, axes on.
"""

import os

os.environ.setdefault("CCHC_SSL_REDIRECT", "0")

from cchc.settings import *  # noqa: E402,F403
from cchc.settings import CACHES, STORAGES  # noqa: E402

CCHC_PUBLIC_LOOKUP_RATE = None
CCHC_PUBLIC_SUBMIT_RATE = None
CCHC_PUBLIC_MISS_RATE = None
CACHES = {**CACHES, "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CCHC_THROTTLE_CACHE = "throttle"
STORAGES = {**STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SECURE_SSL_REDIRECT = False
