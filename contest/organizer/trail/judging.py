"""How the events of judging (rubrics, rounds, jury, assignments, score sheets, results,
prizes, invitations, conflicts) read in the audit viewer: entries by code, judges by name,
criteria by name, rounds by title."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.audit import AuditEvent, Describer, Fact, Subject, humanise, plain
from contest.judging.messages import ACTION_LABELS
from contest.organizer.trail import names


def _tier(value: Any) -> str:
    from contest.judging.forms import TIER_LABELS

    return str(TIER_LABELS.get(value, value)) if value else "—"


def _per_entry(value: Any, show) -> str:  # noqa: ANN001
    if not isinstance(value, dict):
        return plain(value)
    return "; ".join(f"{names.entry(e)}: {show(v)}" for e, v in value.items()) or "—"


def _result(value: Any) -> str:
    if isinstance(value, list) and len(value) == 3:  # [score, rank, judges]
        score, rank, n = value
        return _("score %(score)s, rank %(rank)s, %(n)s judges", score=plain(score),
                 rank=plain(rank), n=plain(n))
    if isinstance(value, dict):
        said = [_("score %(score)s", score=plain(value.get("score"))),
                _("rank %(rank)s", rank=plain(value.get("rank")))]
        if value.get("tied"):
            said.append(_("tied"))
        if value.get("prize"):
            said.append(_tier(value["prize"]))
        if value.get("advanced"):
            said.append(_("advances"))
        return ", ".join(said)
    return plain(value)


def _sheet(value: Any) -> str:
    """A score sheet as the trail keeps it: points by criterion name, the total, the state."""
    if not isinstance(value, dict):
        return plain(value)
    said = []
    points = value.get("points") or {}
    if points:
        said.append(", ".join(f"{names.criterion(c)} {plain(p)}" for c, p in points.items()))
    if value.get("total") is not None:
        said.append(_("total %(total)s", total=plain(value["total"])))
    if value.get("status"):
        said.append({"draft": _("draft"), "submitted": _("submitted")}.get(
            value["status"], str(value["status"])))
    for key, label in (("private_comment", _l("comment to the jury")),
                       ("entrant_comment", _l("comment to the entrant"))):
        if value.get(key):
            said.append(f"{label}: {value[key]}")
    return "; ".join(said) or "—"


def _rubric(value: Any) -> str:
    if not isinstance(value, dict):
        return plain(value)
    criteria = ", ".join(
        _("%(name)s (weight %(weight)s, up to %(max)s points)", name=c.get("name", ""),
          weight=plain(c.get("weight")), max=plain(c.get("max_points")))
        for c in value.get("criteria") or [])
    return _("“%(name)s”, scale %(scale)s: %(criteria)s", name=value.get("name", ""),
             scale=plain(value.get("scale")), criteria=criteria or "—")


def _pairs(value: Any) -> str:
    if not isinstance(value, list):
        return plain(value)
    return "; ".join(f"{names.entry(p[0])} → {names.person(p[1])}" for p in value
                     if isinstance(p, list) and len(p) == 2) or "—"


def _ties(value: Any) -> str:
    if not isinstance(value, list):
        return plain(value)
    return "; ".join(
        _("%(category)s, rank %(rank)s: %(entries)s", category=names.category(t.get("category")),
          rank=plain(t.get("rank")), entries=names.entries(t.get("entries") or []))
        for t in value if isinstance(t, dict)) or "—"


def _entries_or_count(value: Any) -> str:
    return str(value) if isinstance(value, int) else names.entries(value)


SHEET_ACTIONS = ("judging.sheet.save", "judging.sheet.submit", "judging.sheet.reopen")


class JudgingDescriber(Describer):
    domain = "judging"
    label = _l("Judging")
    prefixes = ("judging.",)
    actions = ACTION_LABELS
    hidden = frozenset({"assignment", "conflict", "invitation", "withdrawn", "template"})

    def keys(self) -> dict:
        return {
            "entry": (_l("Entry"), names.entry),
            "entries": (_l("Entries"), _entries_or_count),
            "proposed": (_l("Proposed"), names.entries),
            "added": (_l("Added to the proposal"), names.entries),
            "left_out": (_l("Left out of the proposal"), names.entries),
            "flagged": (_l("Judges disagree on"), names.entries),
            "judge": (_l("Judge"), names.person),
            "old_judge": (_l("Previous judge"), names.person),
            "new_judge": (_l("New judge"), names.person),
            "user": (_l("Person"), names.person),
            "judges": (_l("Judges"), names.people),
            "next_round": (_l("Next round"), names.judging_round),
            "source_round": (_l("From round"), names.judging_round),
            "round": (_l("Round"), names.judging_round),
            "rubric": (_l("Rubric"), names.rubric),
            "source": (_l("Source"), plain),
            "created": (_l("Assignments made"), _pairs),
            "short": (_l("Entries short of judges"),
                      lambda v: _per_entry(v, lambda code: humanise(str(code)))),
            "results": (_l("Results"), lambda v: _per_entry(v, _result)),
            "prizes": (_l("Prizes"), lambda v: _per_entry(v, _tier)),
            "prizes_cleared": (_l("Prizes cleared"), lambda v: _per_entry(v, _tier)),
            "ties": (_l("Ties across a prize boundary"), _ties),
            "counts": (_l("Places per tier"),
                       lambda v: "; ".join(f"{_tier(t)}: {n}" for t, n in v.items())
                       if isinstance(v, dict) else plain(v)),
            "method": (_l("Method"), plain),
            "threshold": (_l("Disagreement threshold"), plain),
            "drafts_left": (_l("Draft sheets left"), plain),
            "at": (_l("At"), plain),
            "email": (_l("E-mail"), plain),
            "expires_at": (_l("Expires"), plain),
            "author_name": (_l("Author"), plain),
            "outlet": (_l("Outlet"), plain),
            "declared_reason": (_l("Reason given"), plain),
            "results_cleared": (_l("Results cleared"), plain),
            "old_closes_at": (_l("Closed at"), plain),
            "new_closes_at": (_l("Now closes at"), plain),
            "name": (_l("Name"), plain),
            "shortlist_released": (_l("Shortlist released"), plain),
            "removed": (_l("Assignments removed"), plain),
            "assignments_removed": (_l("Assignments removed"), plain),
        }

    def facts(self, ev: AuditEvent) -> list[Fact]:
        details = dict(ev.details or {})
        found: list[Fact] = []
        if ev.action in SHEET_ACTIONS:
            details.pop("sheet", None)
            found += [Fact(str(_l("Before")), _sheet(details.pop("old", None))),
                      Fact(str(_l("After")), _sheet(details.pop("new", None)))]
        elif ev.action.startswith("judging.rubric.") or ev.action == "judging.round.rubric":
            for key, label in (("old", _l("Before")), ("new", _l("After"))):
                if details.get(key):
                    found.append(Fact(str(label), _rubric(details.pop(key))))
                details.pop(key, None)
            if ev.action == "judging.rubric.copy":
                found.append(Fact(str(_l("Copied from")), names.rubric(details.pop("source"))))
        elif ev.action == "judging.prize.set":
            old, new = details.pop("old", {}) or {}, details.pop("new", {}) or {}
            found.append(Fact(str(_l("Prize")), f"{_tier(old.get('prize'))} → "
                                                f"{_tier(new.get('prize'))}"))
        elif ev.action == "judging.prizes.propose":
            found.append(Fact(str(_l("Previous prizes")),
                              _per_entry(details.pop("old", {}) or {},
                                         lambda v: _tier(v[0] if isinstance(v, list) else v))))
        elif "sheet" in details and isinstance(details["sheet"], dict | None):
            found.append(Fact(str(_l("Score sheet")), _sheet(details.pop("sheet"))))
        return found + self.detail_facts(details)

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        key = names.as_id(subject_id)
        if subject_type == "judging_round":
            return Subject(str(_l("Judging round")), names.judging_round(subject_id),
                           url_for("judging_console.judging_round", round_id=key)
                           if key else None)
        if subject_type == "judging_rubric":
            return Subject(str(_l("Rubric")), names.rubric(subject_id),
                           url_for("judging_console.judging_rubric_edit", rubric_id=key)
                           if key else None)
        if subject_type == "writing_contest":
            return Subject(str(_l("Writing contest")), names.contest(subject_id),
                           url_for("writing_console.writing_contest", contest_id=key)
                           if key else None)
        if subject_type == "judging_seed":
            return Subject(str(_l("Rubric template")), str(_l("Press award template")))
        return super().subject(subject_type, subject_id)
