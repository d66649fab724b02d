"""The reports console under /organizer/reports: the dashboard, the print-ready summary, the
summary and unit PDFs, the XLSX export, the settings and the unit coordinators.

Organizers see every unit; a unit coordinator sees the same pages narrowed to their unit and the
units under it, with small groups shown as "<5". Downloads (PDF, XLSX, print) always suppress
small groups: they leave the console.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from contest.accounts.models import Role
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm, choices
from contest.problems import Refused
from contest.quiz.models import Round, RoundStatus
from contest.refusals import place_problems, press_button, save_form
from contest.reports import charts, exports, service
from contest.reports.figures import Reader, Report, Scope, UnitTree, share_text, shown
from contest.reports.forms import CoordinatorForm, FilterForm, SettingsForm
from contest.reports.messages import message, problem_message
from contest.writing.models import WritingContest

bp = Blueprint("reports_console", __name__, url_prefix="/organizer")

console_link("reports_console.dashboard", _l("Reports"),
             _l("Campaign figures, unit reports, PDF and XLSX"), order=80)

GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"),
                 "undisclosed": _l("Prefers not to say"), "": _l("Not given")}
MEDIUM_LABELS = {"print": _l("Print"), "online": _l("Online"), "radio": _l("Radio"),
                 "tv": _l("Television"), "photo": _l("Photo"), "other": _l("Other")}


def label_of(kind: str, key: Any) -> str:
    if kind == "gender":
        return str(GENDER_LABELS.get(key, key))
    if kind == "medium":
        return str(MEDIUM_LABELS.get(key, key))
    return str(key) if key not in ("", None) else _("Not given")


def _scope() -> Scope:
    return service.scope_for(current_user, UnitTree.load())


def _filter_form(scope: Scope) -> FilterForm:
    form = FilterForm(request.args)
    form.unit.choices = choices([("", _("All my units") if not scope.everything
                                  else _("All units"))] +
                                [(n.id, "\u2003" * d + n.name)
                                 for n, d in scope.tree.walk(None if scope.everything else
                                                             ([scope.root] if scope.root
                                                              else []))])
    rounds = db.session.execute(select(Round.id, Round.title)
                                .where(Round.status != RoundStatus.DRAFT)
                                .order_by(Round.opens_at)).all()
    form.round.choices = choices([("", _("All rounds"))] + [(i, t) for i, t in rounds])
    contests = db.session.execute(select(WritingContest.id, WritingContest.title)
                                  .order_by(WritingContest.id)).all()
    form.contest.choices = choices([("", _("All contests"))] + [(i, t) for i, t in contests])
    return form


def _read(scope: Scope) -> tuple[FilterForm, Report | None, list[str]]:
    """The filters of the request checked, and the report they ask for (None when refused)."""
    form = _filter_form(scope)
    if request.args and not form.validate():
        return form, None, []
    given = service.FilterInput(form.start.data, form.end.data, form.unit.data,
                                form.round.data, form.contest.data)
    try:
        filters = service.check_filters(given, scope)
    except Refused as exc:
        db.session.rollback()
        general = place_problems(exc.problems, problem_message, form,
                                 {"unit": form.unit, "round": form.round,
                                  "contest": form.contest})
        return form, None, general
    return form, Reader(scope, filters).report(), []


def chart(chart_id: str, title: str, rows: list, kind: str, shared: bool) -> str:
    bars = [(label_of(kind, r.label if kind == "plain" else r.key), r.count,
             shown(r.count, shared)) for r in rows]
    parts = "; ".join(f"{label}: {printed}" for label, _v, printed in bars)
    return charts.bar_chart(chart_id, title, _("Number of people per group. %(parts)s",
                                                parts=parts or _("no data")), bars)


def _context(report: Report | None, shared: bool) -> dict[str, Any]:
    tables = {t[0]: t for t in exports.tables(report, label_of, shared)} if report else {}
    return {"report": report, "shared": shared, "tables": tables,
            "shown": lambda n: shown(n, shared),
            "share": lambda a, b: share_text(a, b, shared), "label_of": label_of,
            "chart": lambda *a: chart(*a, shared=shared)}


def _shared_view() -> bool:
    """Coordinators read the figures outside the central console: small groups are hidden."""
    return not current_user.has_role(Role.ORGANIZER)


@bp.get("/reports")
@require("reports.view")
def dashboard():
    scope = _scope()
    form, report, general = _read(scope)
    participants = report is not None and (not scope.everything or report.filters.unit_id) \
        and not report.empty
    people = Reader(scope, report.filters).participant_list() if participants else []
    status = 400 if report is None else 200
    return render_template("reports/dashboard.html", form=form, general=general,
                           people=people, query=request.query_string.decode(),
                           is_organizer=current_user.has_role(Role.ORGANIZER),
                           **_context(report, _shared_view())), status


def _download_or_back(report: Report | None) -> Response | None:
    """Back to the dashboard with the reason when there is nothing (or nothing valid) to print."""
    if report is None:
        flash(_("Check the filters: the report could not be made."), "error")
        return redirect(url_for(".dashboard", **request.args))
    if report.empty:
        flash(message("no_data"), "error")
        return redirect(url_for(".dashboard", **request.args))
    return None


@bp.get("/reports/print")
@require("reports.view")
def print_summary():
    _form, report, _general = _read(_scope())
    back = _download_or_back(report)
    if back is not None:
        return back
    return render_template("reports/print.html", settings=service.settings(),
                           **_context(report, True))


@bp.get("/reports/summary.pdf")
@require("reports.view")
def summary_pdf():
    _form, report, _general = _read(_scope())
    back = _download_or_back(report)
    if back is not None:
        return back
    assert report is not None
    data = exports.summary_pdf(report, service.settings(), label_of)
    return exports.download(data, "bao-cao-tong-hop.pdf", "application/pdf")


@bp.get("/reports/units/<int:unit_id>.pdf")
@require("reports.view")
def unit_pdf(unit_id: int):
    scope = _scope()
    if not scope.allows(unit_id):
        abort(404)
    form, report, _general = _read(scope)
    if report is None:
        return _download_or_back(report)
    filters = report.filters.__class__(report.filters.start, report.filters.end, unit_id,
                                       report.filters.round_id, report.filters.contest_id,
                                       report.filters.age_bands)
    reader = Reader(scope, filters)
    report = reader.report()
    back = _download_or_back(report)
    if back is not None:
        return back
    data = exports.unit_pdf(report, reader.participant_list(), service.settings(), label_of)
    return exports.download(data, f"bao-cao-don-vi-{unit_id}.pdf", "application/pdf")


@bp.get("/reports/export.xlsx")
@require("reports.view")
def export_xlsx():
    _form, report, _general = _read(_scope())
    back = _download_or_back(report)
    if back is not None:
        return back
    assert report is not None
    data = exports.report_xlsx(report, label_of)
    return exports.download(
        data, "bao-cao.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- settings and coordinators (organizers only) -------------------------------------------


@bp.route("/reports/settings", methods=["GET", "POST"])
@require("organizer.console")
def settings():
    row = service.settings()
    form = SettingsForm(obj=row)
    if not isinstance(form.age_bands.data, str):
        # Filled from the stored list (a GET, or a post without the field): show it as text.
        form.age_bands.data = ", ".join(str(b) for b in form.age_bands.data or []) \
            if request.method == "GET" else ""

    def render(form: SettingsForm, general: list[str], status: int):
        return render_template("reports/settings.html", form=form, general=general), status

    def act() -> Any:
        changes = {name: getattr(form, name).data or "" for name in (
            "organizing_body", "legal_basis", "signatory_name", "signatory_title", "place",
            "number_suffix")}
        changes = {k: v.strip() for k, v in changes.items()}
        changes["participation_certificates"] = bool(form.participation_certificates.data)
        return service.update_settings(current_user, changes, form.age_bands.data)

    if request.method == "GET":
        db.session.commit()  # the row made on first reading
    return save_form(form, act, render=render, message=problem_message,
                     done=_("Settings saved."), then=url_for(".settings"))


def _coordinator_form() -> CoordinatorForm:
    form = CoordinatorForm()
    tree = UnitTree.load()
    form.unit.choices = choices([("", _("Choose a unit"))] +
                                [(n.id, "\u2003" * d + n.name) for n, d in tree.walk()])
    return form


@bp.route("/reports/coordinators", methods=["GET", "POST"])
@require("users.manage")
def coordinators():
    form = _coordinator_form()

    def render(form: CoordinatorForm, general: list[str], status: int):
        return render_template("reports/coordinators.html", form=form, general=general,
                               rows=service.coordinators(), action=ActionForm()), status

    return save_form(form, lambda: service.appoint(current_user, form.identifier.data,
                                                   form.unit.data),
                     render=render, message=problem_message,
                     fields={"identifier": form.identifier, "unit": form.unit},
                     done=_("The unit coordinator is appointed."),
                     then=url_for(".coordinators"))


@bp.post("/reports/coordinators/<int:user_id>/dismiss")
@require("users.manage")
def dismiss_coordinator(user_id: int):
    return press_button(lambda: service.dismiss(current_user, user_id), message=problem_message,
                        done=_("The unit coordinator is dismissed."),
                        then=url_for(".coordinators"))
