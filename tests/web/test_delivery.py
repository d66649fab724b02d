"""What goes over the wire: compression, content-hashed static files, no session for readers."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from contest.config import ROOT

PUBLIC_PAGES = ["/", "/privacy", "/quiz/", "/rounds", "/api/rounds", "/login", "/register"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_reader_gets_no_cookie(client, path):
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []


def test_pages_are_compressed_as_the_client_accepts(client):
    plain = client.get("/privacy", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    text = plain.get_data()

    br = client.get("/privacy", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(br.get_data()) == text
    assert len(br.get_data()) < len(text) / 2

    gz = client.get("/privacy", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()) == text


def test_static_files_have_hashed_names_and_are_cached_for_good(client):
    html = client.get("/privacy").get_data(as_text=True)
    [css] = re.findall(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    original = (ROOT / "static" / "css" / "app.css").read_bytes()

    response = client.get(css, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert response.mimetype == "text/css"
    assert brotli.decompress(response.get_data()) == original
    assert response.headers.getlist("Set-Cookie") == []

    gz = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()) == original
    again = client.get(css, headers={"If-None-Match": gz.headers["ETag"]})
    assert again.status_code == 304

    # The plain name still answers (an old page in a cache), revalidated as before.
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200
    assert "immutable" not in plain.headers.get("Cache-Control", "")


def test_a_hash_names_the_content(client):
    html = client.get("/privacy").get_data(as_text=True)
    [css] = re.findall(r'href="/static/(css/app\.([0-9a-f]{12})\.css)"', html)
    import hashlib

    digest = hashlib.sha256((ROOT / "static" / "css" / "app.css").read_bytes()).hexdigest()
    assert css[1] == digest[:12]
    assert client.get("/static/css/app.000000000000.css").status_code == 404


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_anonymous_language_switch_needs_no_token(csrf_on, client):
    response = client.post("/lang", data={"lang": "en", "next": "/privacy"})
    assert response.status_code == 302
    assert client.get_cookie("lang").value == "en"
    assert response.headers["Location"].endswith("/privacy")
