"""Browser-test harness: the test app behind a real WSGI server, driven by Chromium.

Browser tests need the Python package ``playwright`` and a Chromium on the PATH (Debian's
``chromium``; set ``CHROMIUM`` to use another executable). When either is missing the tests are
skipped with the reason, unless ``REQUIRE_BROWSER=1`` is set: then they fail, so that a CI job
meant to run them cannot pass by running none.

Every test gets a fresh browser context per viewport (phone 360×640 and desktop 1280×800).
Contexts bypass the app's Content-Security-Policy only so that axe-core can be injected.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from contest.accounts.models import Unit
from contest.extensions import db
from tests.browser import helpers

VIEWPORTS = {
    "360x640": {"width": 360, "height": 640},
    "1280x800": {"width": 1280, "height": 800},
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous for a loaded CI machine, yet a broken page fails in seconds rather than minutes.
TIMEOUT_MS = 15_000


def _find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit) or (explicit if os.path.isfile(explicit) else None)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@dataclass
class _BrowserState:
    """Why browser tests cannot run in this session, found once and remembered."""

    problem: str | None = None


_state = _BrowserState()


def _unavailable(reason: str) -> None:
    """Skip, or under REQUIRE_BROWSER=1 remember the reason so that the test body fails."""
    if not helpers.browser_required():
        pytest.skip(reason)
    _state.problem = reason


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> None:
    # Failing here rather than in a fixture makes the test FAILED, not an ERROR at setup.
    if pyfuncitem.get_closest_marker("browser") and _state.problem:
        pytest.fail(f"REQUIRE_BROWSER=1 but {_state.problem}", pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object | None]:
    """One Chromium for the whole session, or None when it cannot run (see the module doc)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
        yield None
        return
    executable = _find_chromium()
    if executable is None:
        _unavailable("no Chromium found on the PATH (install chromium or set CHROMIUM=...)")
        yield None
        return
    pw = sync_playwright().start()
    try:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except PlaywrightError as exc:
        pw.stop()
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        _unavailable(f"Chromium at {executable} did not start: {first_line}")
        yield None
        return
    try:
        yield instance
    finally:
        instance.close()
        pw.stop()


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """The shared test settings, with CSRF protection on as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["CAPTURE_MESSAGES"] = True
    return app_config


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    @property
    def outbox(self) -> list:
        """Captured e-mails (email.message.EmailMessage), oldest first."""
        return self.app.extensions.setdefault("outbox", [])

    @property
    def sms_outbox(self) -> list:
        """Captured text messages (contest.sms.SmsMessage), oldest first."""
        return self.app.extensions.setdefault("sms_outbox", [])


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test app served by a threaded WSGI server on a free local port."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["CAPTURE_MESSAGES"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def page(browser: object | None, viewport: str) -> Iterator[object | None]:
    """A page in a fresh browser context (no cookies) at the parametrised viewport."""
    if browser is None:
        yield None
        return
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport=VIEWPORTS[viewport],
        bypass_csp=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    # Stylesheets, icons and scripts that fail to load; visit_check reports them.
    new_page.broken_assets = []
    new_page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                and new_page.broken_assets.append(f"{r.status} {r.url}"))
    # ERR_ABORTED: a request cut short because the test moved on to the next page.
    new_page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                and new_page.broken_assets.append(f"{r.failure} {r.url}"))
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture
def visit_check(request: pytest.FixtureRequest, viewport: str) -> Callable[..., None]:
    """``visit_check(page, step)``: save a full-page screenshot, then check that every asset
    loaded, that the page does not scroll sideways and that axe-core finds nothing serious."""
    test_name = re.sub(r"[^\w-]+", "_", request.node.originalname)

    def check(page: object, step: str, *, axe: bool = True) -> None:
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
        helpers.screenshot(page, f"{test_name}-{step}-{viewport}")
        context = f"{step} at {viewport}"
        broken = getattr(page, "broken_assets", [])
        assert not broken, f"assets did not load on {context}: {broken}"
        helpers.assert_fits_width(page, context)
        if axe:
            helpers.check_axe(page, context)

    return check


@pytest.fixture
def unit_label(app: Flask) -> str:
    """A commune inside a district, offered in the registration form; returns its label."""
    district = Unit(code="MC", name="Huyện Mộc Châu", kind="district")
    commune = Unit(code="MC-TL", name="Xã Tân Lập", kind="commune", parent=district)
    db.session.add_all([district, commune])
    db.session.commit()
    return commune.label

