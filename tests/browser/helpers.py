"""Helpers for browser tests: accessibility checks, screenshots and reading captured messages."""

from __future__ import annotations

import os
import re
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")


def browser_required() -> bool:
    """True under REQUIRE_BROWSER=1: missing browser tools then fail tests instead of skipping."""
    return os.environ.get("REQUIRE_BROWSER") == "1"


def skip_or_fail(reason: str) -> None:
    if browser_required():
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@cache
def _axe_source() -> str | None:
    return AXE_PATH.read_text(encoding="utf-8") if AXE_PATH.is_file() else None


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def check_axe(page, context: str = "") -> list[dict]:  # noqa: ANN001
    """Run axe-core on the page; fail on any violation of impact serious or critical.

    Returns the violations of lesser impact so that a test may look at them.
    """
    source = _axe_source()
    if source is None:
        skip_or_fail(f"axe-core is not installed ({AXE_PATH} is missing; run npm ci)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    violations = result["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    where = f"{context} ({page.url})" if context else page.url
    assert not blocking, (
        f"axe found serious or critical accessibility violations on {where}:\n"
        + format_violations(blocking)
    )
    return [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]


def assert_fits_width(page, context: str = "") -> None:  # noqa: ANN001
    """Fail when the page scrolls sideways: on a phone that hides content off screen."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    where = f"{context} ({page.url})" if context else page.url
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px window: {where}"


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Save a full-page PNG into tests/browser/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name)
    path = SCREENSHOTS / f"{safe}.png"
    for attempt in range(3):
        try:
            page.screenshot(path=str(path), full_page=True)
            return path
        except PlaywrightError as exc:
            # Chromium under load sometimes fails one capture ("Unable to capture screenshot")
            # while the compositor is busy; the next frame captures. Anything else is raised.
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    return path


def mail_to(outbox: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [m for m in outbox if m["To"] == address]


def mail_body(message: EmailMessage) -> str:
    return message.get_content()


def link_in(text: str, path_prefix: str) -> str:
    """The first http(s) link in ``text`` whose path starts with ``path_prefix``."""
    for url in re.findall(r"https?://\S+", text):
        if re.match(r"https?://[^/]+" + re.escape(path_prefix), url):
            return url
    raise AssertionError(f"no link to {path_prefix} in:\n{text}")


def code_in(text: str) -> str:
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert match, f"no six-digit code in: {text!r}"
    return match.group(1)


def translated(app, message, locale: str = "vi", **variables) -> str:  # noqa: ANN001
    """``message`` as the app shows it in ``locale`` (the msgid itself while no catalogue exists).

    Accepts a plain msgid or a lazy string from a form module.
    """
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        if isinstance(message, str):
            return gettext(message, **variables)
        return str(message)
