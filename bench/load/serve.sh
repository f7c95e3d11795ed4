#!/bin/sh
# gunicorn for the load run (bench/README.md "load"): 2 workers, production settings with the
# per-address limits raised (bench/load/settings_load.py). DATABASE_URL must be set.
cd "$(dirname "$0")/../.." || exit 1
export PYTHONPATH=bench/load DJANGO_SETTINGS_MODULE=settings_load
export CCHC_SECRET_KEY="${CCHC_SECRET_KEY:-load-run-only-not-a-secret-0123456789abcdefghij}"
export CCHC_ALLOWED_HOSTS="${CCHC_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export CCHC_LOG_LEVEL="${CCHC_LOG_LEVEL:-WARNING}"
exec uv run gunicorn cchc.wsgi -w "${WORKERS:-2}" -b "${BIND:-127.0.0.1:8000}" \
    --timeout 120 --graceful-timeout 10 --pid "${PIDFILE:-/tmp/load_gunicorn.pid}" "$@"
