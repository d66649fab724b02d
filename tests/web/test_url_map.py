"""Every route answers at the URL it always had: bookmarks and e-mailed links keep working when
code moves between packages. The reference list is tests/web/url_map.txt, one `rule METHODS`
line per route; a route may be added to it deliberately, never silently moved."""

from pathlib import Path

REFERENCE = Path(__file__).with_name("url_map.txt")


def _routes(app) -> list[str]:
    return sorted(
        f"{rule.rule} {','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))}"
        for rule in app.url_map.iter_rules()
    )


def test_every_route_keeps_its_url(app):
    expected = REFERENCE.read_text(encoding="utf-8").splitlines()
    actual = _routes(app)
    missing = sorted(set(expected) - set(actual))
    added = sorted(set(actual) - set(expected))
    assert not missing, f"routes that no longer answer at their URL: {missing}"
    assert not added, f"new routes not yet in {REFERENCE.name}: {added}"


def test_console_pages_live_under_organizer(app):
    console = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in
               {"quiz_bank", "quiz_rounds", "quiz_results", "writing_console", "judging_console",
                "campaign_console"}]
    assert len(console) > 80
    assert all(rule.rule.startswith("/organizer/") for rule in console)
