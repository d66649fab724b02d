"""The harness itself: axe findings fail a test, and missing tools skip or fail as configured."""

from __future__ import annotations

import pytest

from tests.browser import helpers

BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="q">
</main></body></html>"""


@pytest.mark.browser
def test_check_axe_fails_on_serious_violations(browser) -> None:  # noqa: ANN001
    page = browser.new_page(bypass_csp=True)
    try:
        page.set_content(BAD_PAGE)
        with pytest.raises(AssertionError) as failure:
            helpers.check_axe(page, "a page with known faults")
    finally:
        page.close()
    message = str(failure.value)
    for rule in ("html-has-lang", "image-alt", "label"):
        assert f"- {rule} [" in message
    assert "at img" in message and "at input" in message


def test_missing_tools_skip_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        helpers.skip_or_fail("no chromium")


def test_missing_tools_fail_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but no chromium"):
        helpers.skip_or_fail("no chromium")
