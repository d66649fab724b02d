"""A short shared cache of public pages for anonymous readers.

A request without cookies (an anonymous reader: public pages start no session) always gets the
same answer for the same URL, in Vietnamese, so the response is kept for a few seconds in
``contest.extensions.cache`` (Redis when ``CACHE_REDIS_URL`` is set, so every worker and server
shares it; in-process otherwise). The seconds are never more than the ``max-age`` the response
publishes, so nobody sees it staler than a browser's or a proxy's cache could show it. A request
with cookies (signed in, or a chosen language) is answered fresh. The kept answer holds its
gzip and Brotli forms too, made once when it is kept, so a hit compresses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, make_response, request

from contest.delivery import COMPRESSIBLE, packed, pick
from contest.extensions import cache

KEPT_HEADERS = ("Content-Type", "Cache-Control", "Access-Control-Allow-Origin")


def shared(seconds: int) -> Callable:
    """Keep the view's response to anonymous GETs for ``seconds`` (at most its max-age)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.cookies or request.method != "GET":
                return view(*args, **kwargs)
            # The key names the entry's shape, so that servers of an older release sharing
            # the Redis cache during a rolling update never read each other's entries.
            key = "public:v2:" + request.full_path
            kept = cache.get(key)
            if kept is not None:
                body, status, headers, gzipped, brotli_body = kept
                body, encoding = pick(body, gzipped, brotli_body)
                response = Response(body, status=status)
                response.headers.update(headers)
                if gzipped is not None:
                    response.vary.add("Accept-Encoding")
                if encoding:
                    response.headers["Content-Encoding"] = encoding
                response.headers["X-Cache"] = "hit"
                return response
            response = make_response(view(*args, **kwargs))
            if response.status_code in (200, 404) and not response.is_streamed and \
                    "Set-Cookie" not in response.headers:
                headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
                body = response.get_data()
                forms = (None, None)
                if response.mimetype.startswith(COMPRESSIBLE) and \
                        len(body) >= current_app.config["COMPRESS_MIN_SIZE"]:
                    forms = packed(body, gzip_level=current_app.config["COMPRESS_LEVEL"],
                                   br_quality=current_app.config["COMPRESS_BR_LEVEL"])
                cache.set(key, (body, response.status_code, headers, *forms), timeout=seconds)
            response.headers["X-Cache"] = "miss"
            return response

        return wrapper

    return decorate
