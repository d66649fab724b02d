"""How the events of people, roles, sign-in and units read in the audit viewer."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from contest.audit import Describer, Subject
from contest.organizer.trail import names


def _role(value: Any) -> str:
    from contest.organizer.views import role_label

    return role_label(str(value))


class AccountsDescriber(Describer):
    domain = "accounts"
    label = _l("People and units")
    prefixes = ("account.", "role.", "password.", "unit.")
    actions = {
        "account.locked": _l("Account locked after failed sign-ins"),
        "account.email_removed": _l("E-mail address removed"),
        "account.email_change_requested": _l("E-mail change requested"),
        "account.email_changed": _l("E-mail address changed"),
        "account.change_reported": _l("Unexpected change reported by the owner"),
        "account.erase": _l("Account deleted by its owner"),
        "role.grant": _l("Role granted"),
        "role.revoke": _l("Role revoked"),
        "password.reset_link": _l("Password reset link issued"),
        "unit.save": _l("Unit saved"),
    }

    def keys(self) -> dict:
        return {
            "role": (_l("Role"), _role),
            "failures": (_l("Failed sign-ins"), str),
            "code": (_l("Unit code"), str),
        }

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        key = names.as_id(subject_id)
        if subject_type == "user":
            return Subject(str(_l("Person")), names.person(subject_id),
                           url_for("organizer.user_detail", user_id=key) if key else None)
        if subject_type == "unit":
            return Subject(str(_l("Unit")), names.unit(subject_id),
                           url_for("organizer.unit_edit", unit_id=key) if key else None)
        return super().subject(subject_type, subject_id)
