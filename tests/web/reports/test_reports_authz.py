"""Who may open the reports and certificate routes, and the unit coordinator on every console
route: a coordinator opens the reports (narrowed to their unit) and nothing else under
/organizer/; anonymous visitors are sent to log in; other accounts get 403."""

from __future__ import annotations

import pytest

from contest.accounts.models import Role

# Console routes a unit coordinator may open (their unit's reports).
COORDINATOR_ENDPOINTS = {"reports_console.dashboard", "reports_console.print_summary",
                         "reports_console.summary_pdf", "reports_console.unit_pdf",
                         "reports_console.export_xlsx"}


def _console_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route under /organizer/, ids set to 1."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organizer/"):
            continue
        args = {}
        for name in rule.arguments:
            converter = rule._converters.get(name)
            items = getattr(converter, "items", None)
            args[name] = sorted(items)[0] if items else 1
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def test_a_coordinator_is_refused_every_other_console_route(app, login_as):
    client = login_as(Role.UNIT_COORDINATOR)
    routes = _console_routes(app)
    assert len(routes) > 100
    for endpoint, method, url in routes:
        response = client.open(url, method=method)
        if endpoint in COORDINATOR_ENDPOINTS:
            # Without a unit appointed they see nothing of any unit: an empty report or 404.
            assert response.status_code in (200, 302, 404), (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,)],
                         ids=["entrant", "journalist", "judge"])
def test_other_accounts_get_403_on_reports_and_certificates(app, login_as, roles):
    client = login_as(*roles)
    for endpoint, method, url in _console_routes(app):
        if endpoint.split(".")[0] in ("reports_console", "certificates_console"):
            assert client.open(url, method=method).status_code == 403, (method, url)


def test_anonymous_is_sent_to_login(app, client):
    for endpoint, method, url in _console_routes(app):
        if endpoint.split(".")[0] in ("reports_console", "certificates_console"):
            response = client.open(url, method=method)
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.get("/certificates").status_code == 302
    assert client.get("/verify/" + "a" * 20).status_code == 404
