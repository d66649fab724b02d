"""What goes over the wire: compressed responses and static files named by their content.

* HTML, JSON, CSS, JavaScript and SVG are compressed by the app itself (Flask-Compress: Brotli
  when the client accepts it, else gzip), since the default deployment has no reverse proxy.
  Streamed responses (CSV and ZIP exports) pass through untouched.
* ``url_for('static', filename='css/app.css')`` gives ``/static/css/app.<hash>.css``, the hash
  taken from the file's content when the app starts. Such a URL never changes meaning, so it is
  sent with ``Cache-Control: public, max-age=31536000, immutable`` (a phone fetches CSS and JS
  once per release), Brotli- or gzip-compressed once per process. The plain name still works
  and is revalidated as before.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, Response, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/html", "application/json", "text/css", "text/javascript",
                "application/javascript", "image/svg+xml")
compress = Compress()


@dataclass(frozen=True)
class Asset:
    path: Path
    mimetype: str
    body: bytes
    etag: str
    gzip: bytes | None
    br: bytes | None


def _hashed(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def packed(body: bytes, *, gzip_level: int, br_quality: int) -> tuple[bytes, bytes]:
    """The gzip and Brotli forms of ``body``."""
    return gzip.compress(body, gzip_level, mtime=0), brotli.compress(body, quality=br_quality)


def pick(body: bytes, gzipped: bytes | None, brotli_body: bytes | None
         ) -> tuple[bytes, str | None]:
    """The form of a body to send to this request's client, and its Content-Encoding: Brotli
    if accepted, else gzip if accepted, else the body as it is."""
    accepted = request.accept_encodings
    if brotli_body is not None and accepted["br"]:
        return brotli_body, "br"
    if gzipped is not None and accepted["gzip"]:
        return gzipped, "gzip"
    return body, None


def _load(root: Path) -> tuple[dict[str, str], dict[str, Asset]]:
    names: dict[str, str] = {}
    assets: dict[str, Asset] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:12]
        name = path.relative_to(root).as_posix()
        hashed = _hashed(name, digest)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        packable = mimetype.startswith(COMPRESSIBLE) and len(body) > 256
        gzipped, brotli_body = packed(body, gzip_level=9, br_quality=11) if packable \
            else (None, None)
        assets[hashed] = Asset(path, mimetype, body, digest, gzipped, brotli_body)
        names[name] = hashed
    return names, assets


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSIBLE))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # fast enough per request, near gzip -9 size
    compress.init_app(app)

    root = Path(app.static_folder or "static")
    names, assets = _load(root) if root.is_dir() else ({}, {})
    plain_static = app.view_functions["static"]

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    def static(filename: str) -> Response:
        asset = assets.get(filename)
        if asset is None:
            return plain_static(filename=filename)
        if request.if_none_match.contains(asset.etag):
            response = Response(status=304)
        else:
            body, encoding = pick(asset.body, asset.gzip, asset.br)
            response = Response(body, mimetype=asset.mimetype)
            if encoding:
                response.headers["Content-Encoding"] = encoding
            if asset.gzip is not None:
                response.vary.add("Accept-Encoding")
        response.set_etag(asset.etag)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    app.view_functions["static"] = static
    app.extensions["static_names"] = names
