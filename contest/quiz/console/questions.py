"""Organizer screens of the question bank: list, search, edit, preview, import and export.

An upload is carried from the preview to the commit on the server: the bytes are kept in a file
under ``UPLOAD_ROOT/question-imports`` named by a random token and tied to the organizer who
uploaded it; the commit parses that file again and checks it against the bank as it is then.
Nothing the browser sends back is trusted for the content.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from contest import timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.forms import choices
from contest.params import whole_number
from contest.problems import Problem
from contest.quiz import bank_common, bank_export, bank_import, bank_questions, bank_topics
from contest.quiz.bank_messages import message as problem_text
from contest.quiz.console.forms import (
    DIFFICULTY_LABELS,
    FORMAT_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    ActiveForm,
    ExportForm,
    ImportCommitForm,
    ImportForm,
    ImportTopicForm,
    QuestionForm,
    QuestionSearchForm,
    TopicForm,
)
from contest.quiz.encoding import EncodingRefused, decode_upload
from contest.quiz.importing import UnknownFormat, detect_format, parse_file
from contest.quiz.items import ParseResult, format_percent, join_topic, line_of, split_topic
from contest.quiz.models import Question, Topic
from contest.refusals import Render, press_button, save_form

bp = Blueprint("quiz_bank", __name__, url_prefix="/organizer")

console_link("quiz_bank.questions", _l("Question bank"),
             _l("Questions by topic, import and export"), order=20)

PER_PAGE = 25
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
STAGE_MAX_AGE = 24 * 3600
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


# --- helpers -----------------------------------------------------------------


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        f"quiz/console/questions/{template}",
        kind_labels=KIND_LABELS, difficulty_labels=DIFFICULTY_LABELS,
        format_labels=FORMAT_LABELS, problem_text=problem_text, line_of=line_of,
        percent=format_percent,
        **context,
    ), status


def _topic_choices(first: str) -> list[SelectChoice]:
    return choices([("", first)] + [(str(node.topic.id), node.label)
                                    for node in bank_topics.topic_tree()])


def _topic_or_none(value: str | None) -> Topic | None:
    try:
        return db.session.get(Topic, whole_number(str(value or "")))
    except ValueError:
        return None


def _question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    return question


# --- list, preview, edit -----------------------------------------------------


@bp.get("/questions")
@require("questions.manage")
def questions():
    form = QuestionSearchForm(request.args)
    form.topic.choices = _topic_choices(_("All topics"))
    topic = _topic_or_none(form.topic.data)
    status = form.status.data if form.status.data in STATUS_LABELS else "active"
    kind = form.kind.data if form.kind.data in KIND_LABELS else ""
    difficulty = form.difficulty.data if form.difficulty.data in (*DIFFICULTY_LABELS, "none") \
        else ""
    page = bank_questions.search_questions(
        text=form.q.data or "", topic_id=topic.id if topic else None, kind=kind,
        difficulty=difficulty, tag=form.tag.data or "", status=status,
        page=request.args.get("page", 1, type=whole_number) or 1, per_page=PER_PAGE,
    )
    args = {key: value for key, value in request.args.items() if key != "page" and value}

    def page_url(number: int) -> str:
        return url_for("quiz_bank.questions", **args, page=number)

    return _render("list.html", form=form, page=page, page_url=page_url,
                   filtered=bool(args))


@bp.get("/questions/<int:question_id>")
@require("questions.manage")
def question_preview(question_id: int):
    question = _question_or_404(question_id)
    current = bank_questions.latest_revision(question) if question.retired else question
    return _render("preview.html", question=question, current=current,
                   history=bank_questions.revision_history(question), active_form=ActiveForm())


@bp.route("/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@require("questions.manage")
def question_edit(question_id: int | None):
    question = _question_or_404(question_id) if question_id else None
    if question is not None and question.retired:
        flash(_("This is an earlier revision. You are editing the current one."), "info")
        return redirect(url_for("quiz_bank.question_edit",
                                question_id=bank_questions.latest_revision(question).id))
    form = QuestionForm()
    form.topic_id.choices = _topic_choices(_("— choose a topic —"))

    def render(form: QuestionForm, problems: list[str], status: int = 200):  # noqa: ANN202
        return _render("form.html", status, form=form, question=question, problems=problems)

    if request.method == "GET":
        if question is not None:
            form.fill_from(question)
        elif _topic_or_none(request.args.get("topic")):
            form.topic_id.data = request.args["topic"]
    if request.form.get("more_rows"):
        form.add_rows()
        return render(form, [])

    def act() -> Question:
        topic = _topic_or_none(form.topic_id.data)
        if topic is None:
            raise bank_common.BankError(Problem("bank.topic_missing", "topic_id"))
        return bank_questions.save_question(form.to_parsed(), topic, question=question,
                                            active=form.active.data, actor_id=current_user.id)

    def done(saved: Question) -> str:
        if question is not None and saved.id != question.id:
            return _("The question had already been used in an attempt, so your changes were "
                     "saved as a new revision. Attempts keep the earlier one.")
        return _("Question saved.")

    return save_form(form, act, render=render, message=problem_text, done=done,
                     then=lambda saved: url_for("quiz_bank.question_preview",
                                                question_id=saved.id),
                     fields={"topic": form.topic_id})


@bp.post("/questions/<int:question_id>/active")
@require("questions.manage")
def question_active(question_id: int):
    question = _question_or_404(question_id)
    form = ActiveForm()
    if form.active.data not in ("0", "1"):
        abort(400)
    active = form.active.data == "1"
    return press_button(
        lambda: bank_questions.set_active(question, active, actor_id=current_user.id),
        form=form, message=problem_text,
        done=_("The question is active: rounds may draw it.") if active
        else _("The question is deactivated: rounds will not draw it."),
        then=url_for("quiz_bank.question_preview", question_id=question.id))


# --- topics ------------------------------------------------------------------


def _save_topic(form: TopicForm, topic: Topic | None, render: Render):
    """Show the topic form (GET) or create or change the topic from it (POST)."""

    def act() -> Topic:
        parent = _topic_or_none(form.parent_id.data)
        if form.parent_id.data and parent is None:
            raise bank_common.BankError(Problem("bank.topic_missing", "parent_id"))
        if topic is None:
            return bank_topics.create_topic(form.name.data or "", parent,
                                            actor_id=current_user.id)
        return bank_topics.update_topic(topic, form.name.data or "", parent,
                                        actor_id=current_user.id)

    return save_form(form, act, render=render, message=problem_text, done=_("Topic saved."),
                     then=url_for("quiz_bank.question_topics"))


@bp.route("/questions/topics", methods=["GET", "POST"])
@require("questions.manage")
def question_topics():
    form = TopicForm()
    form.parent_id.choices = _topic_choices(_("— top level —"))
    return _save_topic(form, None, lambda f, problems, status=200: _render(
        "topics.html", status, form=f, problems=problems, nodes=bank_topics.topic_tree()))


@bp.route("/questions/topics/<int:topic_id>", methods=["GET", "POST"])
@require("questions.manage")
def question_topic_edit(topic_id: int):
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    form = TopicForm(obj=topic if request.method == "GET" else None)
    inside = set(bank_topics.descendant_ids(topic.id))
    form.parent_id.choices = [choice for choice in _topic_choices(_("— top level —"))
                              if not choice.value or int(choice.value) not in inside]
    if request.method == "GET":
        form.parent_id.data = str(topic.parent_id or "")
    return _save_topic(form, topic, lambda f, problems, status=200: _render(
        "topic_form.html", status, form=f, problems=problems, topic=topic))


# --- import ------------------------------------------------------------------


def _stage_dir() -> Path:
    return Path(current_app.config["UPLOAD_ROOT"]) / "question-imports"


def _sweep(folder: Path) -> None:
    """Remove uploads that were never committed (older than a day)."""
    limit = time.time() - STAGE_MAX_AGE
    for path in folder.glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _stage(data: bytes, meta: dict[str, Any]) -> str:
    folder = _stage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(32)
    for suffix, content in ((".upload", data),
                            (".json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))):
        partial = folder / f"{token}{suffix}.part"
        partial.write_bytes(content)
        os.replace(partial, folder / f"{token}{suffix}")
    return token


def _staged(token: str) -> tuple[bytes, dict[str, Any]] | None:
    """The upload behind ``token`` if it exists, is fresh and belongs to this organizer."""
    if not _TOKEN_RE.match(token):
        return None
    folder = _stage_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.upload").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != current_user.id:
        return None
    if timeutil.utcnow().timestamp() - float(meta.get("created", 0)) > STAGE_MAX_AGE:
        _unstage(token)
        return None
    return data, meta


def _unstage(token: str) -> None:
    for suffix in (".upload", ".json"):
        try:
            (_stage_dir() / f"{token}{suffix}").unlink()
        except OSError:
            pass


def _default_topic(meta: dict[str, Any]) -> list[str]:
    """The topic chosen for questions without one, else one named after the file."""
    chosen = list(meta.get("new_topic") or [])
    topic = _topic_or_none(str(meta.get("topic_id") or ""))
    if not chosen and topic is not None:
        chosen = topic.path
    return bank_import.default_topic_for(meta.get("original_name", meta["filename"]), chosen)


def _parse_staged(data: bytes, meta: dict[str, Any]) -> tuple[ParseResult, list[str]]:
    result = parse_file(data, meta["filename"], meta.get("format") or None)
    return result, _default_topic(meta)


def _save_meta(token: str, meta: dict[str, Any]) -> None:
    partial = _stage_dir() / f"{token}.json.part"
    partial.write_bytes(json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    os.replace(partial, _stage_dir() / f"{token}.json")


def _upload_problem(data: bytes, filename: str, fmt: str | None) -> str:
    """Why an upload cannot even be previewed ("" when it can)."""
    if len(data) > MAX_UPLOAD_BYTES:
        return _("The file is larger than %(size)d MB.", size=MAX_UPLOAD_BYTES // (1024 * 1024))
    if not data.strip():
        return _("The file is empty.")
    try:
        if detect_format(filename, fmt) != "xlsx":
            decode_upload(data)
    except UnknownFormat:
        return _("This kind of file cannot be read: use a .gift, .txt, .aiken, .csv or .xlsx "
                 "file, or choose its format.")
    except EncodingRefused as refused:
        return problem_text(refused.problem)
    return ""


@bp.route("/questions/import", methods=["GET", "POST"])
@require("questions.manage")
def question_import():
    form = ImportForm()
    form.topic_id.choices = _topic_choices(_("— a topic named after the file —"))
    if form.validate_on_submit():
        upload = form.file.data
        original_name = os.path.basename((upload.filename or "").replace("\\", "/"))
        filename = original_name or "upload"
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        fmt = form.format.data or None
        new_topic = split_topic(form.new_topic.data or "")
        problem = _upload_problem(data, filename, fmt)
        if problem:
            form.file.errors.append(problem)
        elif any(len(name) > bank_common.MAX_TOPIC_NAME for name in new_topic):
            form.new_topic.errors.append(_("A topic name can have at most %(max)d "
                                           "characters.", max=bank_common.MAX_TOPIC_NAME))
        else:
            topic = _topic_or_none(form.topic_id.data)
            token = _stage(data, {
                "user_id": current_user.id,
                "filename": filename,
                "original_name": original_name,
                # None lets the parser tell Aiken from GIFT in a .txt file.
                "format": fmt,
                "topic_id": topic.id if topic is not None and not new_topic else None,
                "new_topic": new_topic,
                "created": timeutil.utcnow().timestamp(),
            })
            return redirect(url_for("quiz_bank.question_import_preview", token=token))
    return _render("import.html", 400 if form.errors else 200, form=form)


def _expired() -> Response:
    flash(_("This upload is no longer available: it was already imported, or it is more than "
            "a day old. Upload the file again."), "error")
    return redirect(url_for("quiz_bank.question_import"))


@bp.get("/questions/import/<token>")
@require("questions.manage")
def question_import_preview(token: str):
    staged = _staged(token)
    if staged is None:
        return _expired()
    data, meta = staged
    result, default_topic = _parse_staged(data, meta)
    plan = bank_import.plan_import(result, default_topic)
    return _render("import_preview.html", plan=plan, meta=meta, token=token,
                   default_topic=" / ".join(default_topic), form=ImportCommitForm(),
                   topic_form=_import_topic_form(meta))


def _import_topic_form(meta: dict[str, Any], form: ImportTopicForm | None = None
                       ) -> ImportTopicForm:
    form = form or ImportTopicForm(formdata=None, prefix="default")
    form.topic_id.choices = _topic_choices(_("— a topic named after the file —"))
    if form.topic_id.data is None and meta.get("topic_id"):
        form.topic_id.data = str(meta["topic_id"])
    if form.new_topic.data is None and meta.get("new_topic"):
        form.new_topic.data = join_topic(meta["new_topic"])
    return form


@bp.post("/questions/import/<token>/topic")
@require("questions.manage")
def question_import_topic(token: str):
    """Choose the topic of the file's questions without one; nothing is imported yet."""
    staged = _staged(token)
    if staged is None:
        return _expired()
    data, meta = staged
    form = _import_topic_form(meta, ImportTopicForm(prefix="default"))
    if form.validate_on_submit():
        new_topic = split_topic(form.new_topic.data or "")
        topic = _topic_or_none(form.topic_id.data)
        if form.topic_id.data and topic is None:
            form.topic_id.errors.append(_("Choose a topic from the list."))
        elif any(len(name) > bank_common.MAX_TOPIC_NAME for name in new_topic):
            form.new_topic.errors.append(_("A topic name can have at most %(max)d "
                                           "characters.", max=bank_common.MAX_TOPIC_NAME))
        else:
            meta["new_topic"] = new_topic
            meta["topic_id"] = topic.id if topic is not None and not new_topic else None
            _save_meta(token, meta)
            flash(_("The default topic is now “%(topic)s”. Nothing has been imported yet.",
                    topic=" / ".join(_default_topic(meta))), "success")
            return redirect(url_for("quiz_bank.question_import_preview", token=token))
    result, default_topic = _parse_staged(data, meta)
    return _render("import_preview.html", 400, plan=bank_import.plan_import(result, default_topic),
                   meta=meta, token=token, default_topic=" / ".join(default_topic),
                   form=ImportCommitForm(), topic_form=form)


@bp.post("/questions/import/<token>")
@require("questions.manage")
def question_import_commit(token: str):
    form = ImportCommitForm()
    if not form.validate_on_submit():
        abort(400)
    staged = _staged(token)
    if staged is None:
        return _expired()
    data, meta = staged
    result, default_topic = _parse_staged(data, meta)
    try:
        outcome = bank_import.commit_import(result, default_topic, actor_id=current_user.id,
                                            filename=meta["filename"], fmt=meta.get("format"))
    except bank_import.ImportRefused as refused:
        db.session.rollback()
        return _render("import_preview.html", 400, plan=refused.plan, meta=meta, token=token,
                       default_topic=" / ".join(default_topic), form=form,
                       topic_form=_import_topic_form(meta))
    db.session.commit()
    _unstage(token)
    return _render("import_result.html", outcome=outcome, meta=meta)


# --- export ------------------------------------------------------------------


@bp.get("/questions/export")
@require("questions.manage")
def question_export():
    form = ExportForm(request.args)
    form.topic.choices = _topic_choices(_("All topics"))
    if "format" in request.args and form.validate():
        topic = _topic_or_none(form.topic.data)
        exported = bank_export.export(form.format.data, topic, include_inactive=form.inactive.data)
        if exported.skipped and request.args.get("confirm") != "1":
            args = {key: value for key, value in request.args.items() if key != "confirm"}
            return _render("export_aiken.html", exported=exported, topic=topic, args=args,
                           gift_url=url_for("quiz_bank.question_export",
                                            **{**args, "format": "gift"}))
        return Response(exported.data, content_type=exported.mimetype, headers={
            "Content-Disposition": f'attachment; filename="{exported.filename}"',
            "Cache-Control": "no-store",
        })
    return _render("export.html", 400 if form.errors else 200, form=form)
