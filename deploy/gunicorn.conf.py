"""gunicorn settings for cchc (docs/deploy.md). Every value can be changed by the
environment: GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: 2 per core + 1. Reports and PDF generation are CPU-bound.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A report or PDF may take a while; a request longer than this is killed and logged.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by large reports is given back).
max_requests = 2000
max_requests_jitter = 200
# Load the application once in the master: faster restarts of workers, less memory.
preload_app = True
# Only the local nginx sets X-Forwarded-*.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# cchc writes one JSON line per request itself (X-Request-ID, user, duration): no access log.
accesslog = None
errorlog = "-"
loglevel = "warning"
