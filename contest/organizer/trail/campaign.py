"""How the events of the campaign site, the committee's reports, certificates and the message
outbox read in the audit viewer."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from contest.audit import Describer, Fact, Subject, humanise, plain
from contest.organizer.trail import names


def _title(model_path: str, value: Any) -> str:
    """The title of a news post or material, or "(removed)"."""
    from contest.campaign import models

    row = names.get(getattr(models, model_path), value)
    return row.title if row is not None else names.removed()


def _certificate(value: Any) -> str:
    from contest.certificates.models import Certificate

    row = names.get(Certificate, value)
    if row is None:
        return names.removed()
    return f"{row.number_text} · {row.recipient_name}"


def _fields(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(humanise(str(v)) for v in value)
    return plain(value)


def _rewards(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{tier}: {text}" for tier, text in value.items() if text) or "—"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v) or "—"
    return plain(value)


class CampaignDescriber(Describer):
    domain = "campaign"
    label = _l("Campaign site, reports and certificates")
    prefixes = ("campaign.", "reports.", "certificate.", "certificates.")
    actions = {
        "campaign.settings_changed": _l("Site settings changed"),
        "campaign.featured": _l("Item featured on the home page"),
        "campaign.unfeatured": _l("Item no longer featured"),
        "campaign.news_created": _l("News post written"),
        "campaign.news_changed": _l("News post changed"),
        "campaign.news_status": _l("News post published or withdrawn"),
        "campaign.material_created": _l("Material added"),
        "campaign.material_changed": _l("Material changed"),
        "campaign.material_published": _l("Material published"),
        "campaign.material_unpublished": _l("Material withdrawn"),
        "campaign.material_moved": _l("Material moved in the list"),
        "campaign.round_rewards_set": _l("Prizes of a quiz round worded"),
        "campaign.contest_rewards_set": _l("Prizes of a writing contest worded"),
        "campaign.jury_comment_set": _l("Jury's public comment written"),
        "campaign.jury_comment_removed": _l("Jury's public comment removed"),
        "campaign.result_shared": _l("Entrant shared their result"),
        "campaign.result_unshared": _l("Entrant withdrew their shared result"),
        "reports.settings": _l("Report settings changed"),
        "reports.coordinator_appointed": _l("Unit coordinator appointed"),
        "certificates.generate": _l("Certificates generated"),
        "certificate.revoke": _l("Certificate revoked"),
        "certificate.revoke_repeated": _l("Revoking an already revoked certificate"),
        "certificate.reissue": _l("Certificate reissued"),
    }
    hidden = frozenset({"news_id", "material_id"})

    def keys(self) -> dict:
        return {
            "fields": (_l("Fields changed"), _fields),
            "slug": (_l("Address"), str),
            "status": (_l("State"), plain),
            "previous_status": (_l("Previous state"), plain),
            "title": (_l("Title"), str),
            "published": (_l("Published"), plain),
            "file": (_l("File"), str),
            "link": (_l("Link"), str),
            "position": (_l("Position"), plain),
            "rewards": (_l("Prizes"), _rewards),
            "comment": (_l("Comment"), str),
            "round_id": (_l("Quiz round"), names.quiz_round),
            "unit": (_l("Unit code"), str),
            "created": (_l("Created"), plain),
            "existing": (_l("Already there"), plain),
            "number": (_l("Number"), str),
            "replaces": (_l("Replaces"), str),
        }

    def facts(self, ev: Any) -> list[Fact]:
        details = dict(ev.details or {})
        found = []
        if details.get("news_id"):
            found.append(Fact(str(_l("News post")), _title("NewsPost", details["news_id"])))
        if details.get("material_id"):
            found.append(Fact(str(_l("Material")), _title("Material", details["material_id"])))
        return found + self.detail_facts(details)

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        if subject_type == "campaign_news":
            return Subject(str(_l("News post")), _title("NewsPost", subject_id))
        if subject_type == "campaign_material":
            return Subject(str(_l("Material")), _title("Material", subject_id))
        if subject_type == "campaign_settings":
            return Subject(str(_l("Site settings")), "")
        if subject_type == "campaign_featured":
            return Subject(str(_l("Featured item")), subject_id)
        if subject_type == "campaign_result_share":
            return Subject(str(_l("Shared result")), subject_id)
        if subject_type == "quiz_round":
            return Subject(str(_l("Quiz round")), names.quiz_round(subject_id))
        if subject_type == "writing_contest":
            return Subject(str(_l("Writing contest")), names.contest(subject_id))
        if subject_type == "writing_entry":
            return Subject(str(_l("Entry")), names.entry(subject_id),
                           names.entry_url(names.as_id(subject_id)))
        if subject_type == "user":
            return Subject(str(_l("Person")), names.person(subject_id))
        if subject_type == "report_settings":
            return Subject(str(_l("Report settings")), "")
        if subject_type == "certificate":
            if subject_id in ("", "None"):
                return Subject(str(_l("Certificates")), "")
            return Subject(str(_l("Certificate")), _certificate(subject_id))
        return super().subject(subject_type, subject_id)


class OutboxDescriber(Describer):
    domain = "outbox"
    label = _l("E-mail and SMS")
    prefixes = ("outbox.",)
    actions = {"outbox.retry": _l("Message sent again")}

    def keys(self) -> dict:
        return {
            "kind": (_l("Kind"), lambda v: "SMS" if v == "sms" else str(_l("E-mail"))),
            "status": (_l("State before"), plain),
            "attempts": (_l("Tries before"), plain),
            "last_error": (_l("Last error"), str),
        }

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        if subject_type == "outbox_message":
            return Subject(str(_l("Message")), f"#{subject_id}")
        return super().subject(subject_type, subject_id)
