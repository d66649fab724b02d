"""A short shared cache of public pages for anonymous readers.

A request without cookies (an anonymous reader: public pages start no session) always gets the
same answer for the same URL, in Vietnamese, so the response is kept for a few seconds in
``contest.extensions.cache`` (Redis when ``CACHE_REDIS_URL`` is set, so every worker and server
shares it; in-process otherwise). The seconds are never more than the ``max-age`` the response
publishes, so nobody sees it staler than a browser's or a proxy's cache could show it. A request
with cookies (signed in, or a chosen language) is answered fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, make_response, request

from contest.extensions import cache

KEPT_HEADERS = ("Content-Type", "Cache-Control", "Access-Control-Allow-Origin")


def shared(seconds: int) -> Callable:
    """Keep the view's response to anonymous GETs for ``seconds`` (at most its max-age)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.cookies or request.method != "GET":
                return view(*args, **kwargs)
            key = "public:" + request.full_path
            kept = cache.get(key)
            if kept is not None:
                body, status, headers = kept
                response = Response(body, status=status)
                response.headers.update(headers)
                response.headers["X-Cache"] = "hit"
                return response
            response = make_response(view(*args, **kwargs))
            if response.status_code in (200, 404) and not response.is_streamed and \
                    "Set-Cookie" not in response.headers:
                headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
                cache.set(key, (response.get_data(), response.status_code, headers),
                          timeout=seconds)
            response.headers["X-Cache"] = "miss"
            return response

        return wrapper

    return decorate
