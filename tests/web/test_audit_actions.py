"""Every action the code records in the audit trail reads in human terms in the viewer: it
belongs to a domain's describer (never "Other") and has its own label in both languages."""

from __future__ import annotations

import ast
import html
from pathlib import Path

from flask_babel import force_locale

from contest import audit
from contest.accounts.models import Role
from contest.extensions import db
from contest.organizer.trail import register_all
from tests.conftest import login

CONTEST = Path(__file__).resolve().parents[2] / "contest"


def _literals(node: ast.AST) -> list[str]:
    """The action names a ``record(...)`` argument can take: a literal or either side of a
    conditional between literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def recorded_actions() -> dict[str, str]:
    """{action: the file that records it} for every ``audit.record`` call in contest/."""
    found: dict[str, str] = {}
    for path in sorted(CONTEST.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "record" and owner in ("audit", ""):
                for action in _literals(node.args[1]):
                    found.setdefault(action, str(path.relative_to(CONTEST.parent)))
    return found


def test_the_scan_sees_every_domain():
    actions = recorded_actions()
    assert {"role.grant", "round.close", "writing.entry.disqualify", "judging.rubric.update",
            "campaign.news_created", "campaign.news_changed", "certificate.revoke",
            "outbox.retry"} <= set(actions)


def test_every_recorded_action_has_a_domain_and_a_label_in_both_languages(app):
    register_all()
    homeless, unlabelled, untranslated = [], [], []
    with app.test_request_context():
        for action, where in sorted(recorded_actions().items()):
            describer = audit.describer_for(action)
            if describer.domain == "other":
                homeless.append(f"{action} ({where})")
                continue
            if action not in describer.actions:
                unlabelled.append(f"{action} ({where})")
                continue
            with force_locale("en"):
                english = describer.action_label(action)
            with force_locale("vi"):
                vietnamese = describer.action_label(action)
            if vietnamese == english:
                untranslated.append(f"{action}: {english}")
    assert homeless == [], "actions no describer owns"
    assert unlabelled == [], "actions without a label"
    assert untranslated == [], "labels without Vietnamese"


def test_a_campaign_and_an_outbox_event_read_in_words(app, make_user):
    organizer = make_user(Role.ORGANIZER, full_name="Trần Văn Tổ Chức")
    audit.record(organizer.id, "campaign.settings_changed", "campaign_settings", 1,
                 fields=["body_name", "hotline"])
    audit.record(organizer.id, "outbox.retry", "outbox_message", 7, kind="sms",
                 status="failed", attempts=8, last_error="gateway said 99")
    db.session.commit()
    client = app.test_client()
    login(client, organizer)
    client.set_cookie("lang", "en")
    page = html.unescape(client.get("/organizer/audit").get_data(as_text=True))
    assert "Site settings changed" in page and "Body name, Hotline" in page
    assert "Message sent again" in page and "gateway said 99" in page
    assert "Campaign site, reports and certificates" in page
    only = html.unescape(client.get("/organizer/audit?domain=outbox").get_data(as_text=True))
    assert "Message sent again" in only and "Site settings changed" not in only
