"""gunicorn settings: threaded workers suit an I/O-bound app talking to PostgreSQL."""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Slow mobile clients are buffered by the reverse proxy; a request that runs this long is stuck.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never takes a node down; jitter keeps them
# from all restarting at the same moment.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Import the application once in the master: workers share its memory pages (copy-on-write)
# and start at once. Nothing connects while the app is built, and post_fork drops any
# connection a worker would otherwise inherit.
preload_app = True


def post_fork(server, worker):  # noqa: ANN001, ANN201, ARG001
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return
    from contest.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
