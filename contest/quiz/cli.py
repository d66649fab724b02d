"""``flask --app wsgi questions import|export``: the question bank from scripts.

``import`` writes all the new questions of a file or, when the file has any problem, nothing; it
exits with status 1 in that case. Questions the file gives no topic (no ``$CATEGORY``, an Aiken
file) go to the default topic: ``--topic``, else a topic named after the file, else "Chưa phân
loại". With ``--json`` it prints exactly one JSON object::

    {"imported": 12, "skipped": 3,
     "errors": [{"line": 7, "code": "gift.no_text", "message": "..."}],
     "by_kind": {"single": 10, "multiple": 2},
     "default_topic": {"topic": "Luật/Bầu cử", "questions": 4}}

``imported`` counts the questions written (with ``--dry-run``: that would be written; 0 when there
are errors), ``by_kind`` splits that number by kind, and ``skipped`` counts what was read but not
imported: items of kinds the platform does not run (essay, numerical ...) and questions already in
the bank (same id, or same text in the same topic). ``default_topic`` names the default topic (a
path, ``//`` for a slash inside a name) and how many of the file's readable questions go there.
Line 0 in ``errors`` means the whole file (an unknown format, a file that is not UTF-8); the
``code`` and its English ``message`` come from :mod:`contest.quiz.bank_messages`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.extensions import db
from contest.quiz import bank_export, bank_import, bank_topics
from contest.quiz.bank_messages import english
from contest.quiz.importing import FORMATS, UnknownFormat, parse_file
from contest.quiz.items import ParseResult, join_topic, line_of

questions_cli = AppGroup("questions", help="Import and export the question bank.")


def _print_summary(plan: bank_import.ImportPlan, written: bool, dry_run: bool) -> None:
    for problem in plan.problems:
        where = f"line {line_of(problem)}" if line_of(problem) else "file"
        click.echo(f"{where}: {english(problem)}", err=True)
    for item in plan.unsupported:
        click.echo(f"line {item.line}: skipped, {item.kind} questions are not supported "
                   f"({item.title})", err=True)
    for planned in plan.present:
        if planned.matched_by == "file":
            note = f"same question as line {planned.match_line}"
        else:
            note = f"already in the bank as question {planned.match_id}"
            if planned.differs:
                note += " (the bank's version differs and is kept)"
        click.echo(f"line {planned.question.line}: skipped, {note}", err=True)
    if not plan.ok:
        click.echo(f"{len(plan.problems)} problem(s): nothing was imported.", err=True)
        return
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(plan.new_by_kind().items()))
    verb = "would be imported" if dry_run else "imported"
    click.echo(f"{len(plan.new)} question(s) {verb}{f' ({kinds})' if kinds else ''}, "
               f"{plan.skipped_count} skipped.")
    if plan.defaulted:
        click.echo(f"{len(plan.defaulted)} question(s) without a category go to the topic "
                   f"\"{plan.default_topic_label}\".")
    if plan.new_topics and written:
        click.echo("New topics: " + "; ".join(plan.new_topics))


@questions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="The file's format (default: from the extension).")
@click.option("--topic", default=None,
              help="Topic path (A/B) for questions the file gives no category (default: a "
                   "topic named after the file).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the result.")
def import_command(file: Path, fmt: str | None, topic: str | None, dry_run: bool,
                   as_json: bool) -> None:
    """Import the questions of FILE (GIFT, Aiken, CSV or XLSX): all of them or none."""
    default_topic = bank_import.default_topic_for(file.name, topic)
    try:
        result = parse_file(file.read_bytes(), file.name, fmt)
    except UnknownFormat as exc:
        result = ParseResult(errors=[exc.problem])
    plan = bank_import.plan_import(result, default_topic)
    written = False
    if plan.ok and not dry_run:
        try:
            bank_import.commit_import(result, default_topic, filename=file.name, fmt=fmt)
        except bank_import.ImportRefused as refused:
            db.session.rollback()
            plan = refused.plan
        else:
            db.session.commit()
            written = True

    if as_json:
        click.echo(json.dumps({
            "imported": len(plan.new) if plan.ok else 0,
            "skipped": plan.skipped_count,
            "errors": [{"line": line_of(p), "code": p.code, "message": english(p)}
                       for p in plan.problems],
            "by_kind": plan.new_by_kind() if plan.ok else {},
            "default_topic": {"topic": join_topic(plan.default_topic),
                              "questions": len(plan.defaulted)},
        }, ensure_ascii=False))
    else:
        _print_summary(plan, written, dry_run)
    if not plan.ok:
        sys.exit(1)


@questions_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(bank_export.EXPORT_FORMATS), required=True,
              help="The file's format.")
@click.option("--topic", default=None,
              help="Export only this topic (a path A/B, or a name used once) and its sub-topics.")
@click.option("--include-inactive", is_flag=True, help="Also export deactivated questions.")
def export_command(file: str, fmt: str, topic: str | None, include_inactive: bool) -> None:
    """Write the bank's live questions to FILE ('-' for standard output)."""
    chosen = None
    if topic:
        chosen = bank_topics.find_topic(topic)
        if chosen is None:
            raise click.ClickException(f"there is no topic '{topic}'")
    exported = bank_export.export(fmt, chosen, include_inactive=include_inactive)
    if file == "-":
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
    else:
        Path(file).write_bytes(exported.data)
    for question in exported.skipped:
        label = question.external_id or question.title or question.text[:60]
        click.echo(f"not written: {label} ({question.kind}): Aiken carries only single-choice "
                   "and true/false questions with one fully correct option", err=True)
    where = "" if file == "-" else f" to {file}"
    click.echo(f"{exported.count} question(s) written{where}"
               + (f", {len(exported.skipped)} left out" if exported.skipped else "") + ".",
               err=True)
