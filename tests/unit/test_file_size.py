"""File sizes read in the reader's language: units and decimal mark (Jinja's own
``filesizeformat`` says "Bytes" and "kB" in English whatever the page's language)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from contest.i18n import file_size


@pytest.mark.parametrize(("size", "vi", "en"), [
    (1, "1 byte", "1 byte"),
    (614, "614 byte", "614 bytes"),
    (1024, "1 KB", "1 KB"),
    (1536, "1,5 KB", "1.5 KB"),
    (3 * 1024 * 1024 + 300 * 1024, "3,3 MB", "3.3 MB"),
    (5 * 1024 ** 3, "5 GB", "5 GB"),
])
def test_sizes_in_both_languages(app, size, vi, en):
    with app.test_request_context():
        with force_locale("vi"):
            assert file_size(size) == vi
        with force_locale("en"):
            assert file_size(size) == en


def test_templates_use_it(app):
    with app.test_request_context(), force_locale("vi"):
        rendered = app.jinja_env.from_string("{{ 614|filesizeformat }}").render()
    assert rendered == "614 byte"
