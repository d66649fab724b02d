"""Response headers that every page carries, the cache rule for downloads, and trust of a
reverse proxy."""

from __future__ import annotations

import os

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from contest.config import shared_rate_limits

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Every download the app serves (organizer exports, entry files, judges' copies, own data)
# carries a Content-Disposition; the rule below keys on that header, so a new download route is
# covered without remembering to set anything.
DOWNLOAD_CACHE_CONTROL = "private, no-store"


def is_download(response: Response) -> bool:
    """Whether the response is a file download (``Content-Disposition`` attachment or inline)."""
    return "Content-Disposition" in response.headers


def init_app(app: Flask) -> None:
    if app.config.get("APP_ENV") == "production" and not shared_rate_limits(app.config):
        # Several gunicorn workers each keep their own memory: a limit of 10 becomes 10 per
        # worker, and the per-destination reset limits no longer hold.
        app.logger.error(
            "RATELIMIT_STORAGE_URI is memory:// in production: rate limits are not shared "
            "between workers. Set it to redis://...; `flask check-config` fails until then."
        )
    # Behind nginx or a load balancer the client address and scheme come from its headers.
    hops = int(os.environ.get("PROXY_HOPS", "0"))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if is_download(response):
            # Exports, entry files, own data: personal data that no cache, shared or the
            # browser's own, may keep. This overrides whatever the view or send_file set.
            h["Cache-Control"] = DOWNLOAD_CACHE_CONTROL
            h["Pragma"] = "no-cache"
            h.pop("Expires", None)
        elif response.mimetype == "text/html":
            # Pages carry personal details and CSRF tokens: never store them in shared caches.
            h.setdefault("Cache-Control", "no-store")
        return response
