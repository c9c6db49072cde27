"""Gunicorn settings for the production server (`make serve`; see README "Deploying").

Environment: HOST (127.0.0.1), PORT (5000), WORKERS (2 x cores), THREADS (4 per worker),
MAX_REQUESTS (50000: a worker is replaced after about this many requests), and the
app's own LIBRARY_* settings, read by create_app() in each worker.
"""
import os

wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"

# Processes do the work (search and page rendering are CPU-bound under the GIL); a few threads each
# keep a process busy while one request waits on the database or the disk.
workers = int(os.environ.get("WORKERS") or 2 * (os.cpu_count() or 1))
# gunicorn's gthread worker, taking a new connection only while a thread is free: connections that
# arrive together are spread over the workers instead of kept by the first (app/ops/serving.py).
worker_class = "app.ops.serving.BalancedThreadWorker"
threads = int(os.environ.get("THREADS") or 4)

# Each worker builds its own app: a database pool, index handles or threads made before the fork
# would be shared by every worker, so nothing is preloaded.
preload_app = False

# A worker silent this long is restarted (with gthread a slow request does not count: the worker's
# main loop still answers); on stop or reload, requests in flight get graceful_timeout to finish.
timeout = 60
graceful_timeout = 30
# Keep-alive for a reverse proxy on the same network; the proxy holds the slow clients.
keepalive = 5
# Recycle a worker after about this many requests (jitter: not all at once), so a slow leak in
# a long-running process stays small. A new worker costs about 2 CPU-seconds (imports, templates,
# warm-up: bench/RESULTS.md "serve, cost per request"): every 2,000 requests that was about 1 ms
# a request, a quarter of a reader image, and a worker out of service for seconds at a time.
max_requests = int(os.environ.get("MAX_REQUESTS") or 50000)
max_requests_jitter = max_requests // 10

# X-Forwarded-* are believed by the app alone (LIBRARY_TRUSTED_PROXIES, Werkzeug's ProxyFix), so
# gunicorn believes none (its default trusts any local client's X-Forwarded-Proto).
forwarded_allow_ips = ""

# The app logs one structured line per request (app/ops/logs.py); gunicorn's own access log is off
# unless ACCESS_LOG names a file or "-" (standard output), in the same key=value shape.
accesslog = os.environ.get("ACCESS_LOG") or None
access_log_format = ('remote=%(h)s method=%(m)s path="%(U)s" status=%(s)s ms=%(M)s bytes=%(B)s '
                     'request_id=%({x-request-id}o)s agent="%(a)s"')
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
proc_name = "hoclieu"


def post_worker_init(worker) -> None:
    """A new worker (at start, or recycled) warms up before it takes requests."""
    from app.ops.checks import warm_up

    try:
        warm_up(worker.wsgi)
    except Exception:  # a cold worker still serves: say why it is cold, do not stop it
        worker.log.exception("warm-up failed")
    worker.log.info("Worker %s ready for requests", worker.pid)


def worker_exit(server, worker) -> None:
    """A worker that stops (shutdown, reload, recycling) writes the usage counts it still holds."""
    from app.web.usage import flush

    try:
        flush(worker.wsgi)
    except Exception:
        worker.log.exception("usage counts not written at exit")
