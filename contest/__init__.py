"""Bình đẳng: quizzes and writing contests on gender equality in politics."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, request

from contest.config import INSTANCE, ROOT, load_config
from contest.extensions import babel, cache, csrf, db, limiter, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI commands and error pages."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from contest.params import IdConverter

    # Route ids are ASCII digits within the range of an id column (see contest.params).
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config())
    if config:
        app.config.update(config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from contest import ops

    # First of the request hooks, so that every log line of a request carries its id.
    ops.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)

    from contest import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)

    from contest.accounts import init_app as init_accounts

    init_accounts(app, login_manager)

    # Models must be imported so that metadata (migrations, drift test) sees every table.
    from contest import models  # noqa: F401
    from contest.accounts.views import bp as accounts_bp
    from contest.campaign.console.views import bp as campaign_console_bp
    from contest.campaign.views import bp as campaign_bp
    from contest.certificates.console import bp as certificates_console_bp
    from contest.certificates.views import bp as certificates_bp

    # The judging console's screens add their routes to the one blueprint of console.base.
    from contest.judging.console import jury, results, rounds, rubrics, scoring  # noqa: F401
    from contest.judging.console.base import bp as judging_console_bp
    from contest.judging.views import bp as judging_bp
    from contest.organizer.audit_views import bp as organizer_audit_bp
    from contest.organizer.views import bp as organizer_bp
    from contest.outbox.console import bp as outbox_console_bp
    from contest.public import api, leaderboards  # noqa: F401
    from contest.public.views import bp as public_bp
    from contest.quiz.console.questions import bp as quiz_bank_bp
    from contest.quiz.console.results import bp as quiz_results_bp
    from contest.quiz.console.rounds import bp as quiz_rounds_bp
    from contest.quiz.views import bp as quiz_bp
    from contest.reports.console import bp as reports_console_bp

    # The writing console's screens add their routes to the one blueprint of console.base.
    from contest.writing.console import contests, entries, exports, words  # noqa: F401
    from contest.writing.console.base import bp as writing_console_bp
    from contest.writing.held import bp as writing_held_bp
    from contest.writing.uploads_api import bp as writing_uploads_bp
    from contest.writing.views import bp as writing_bp

    # Each domain's console is a blueprint of its own under the /organizer/ prefix.
    for blueprint in (public_bp, accounts_bp, organizer_bp, organizer_audit_bp, quiz_bank_bp,
                      quiz_rounds_bp,
                      quiz_results_bp, writing_console_bp, judging_console_bp, quiz_bp,
                      writing_bp, writing_uploads_bp, writing_held_bp, judging_bp,
                      reports_console_bp,
                      certificates_console_bp, certificates_bp, campaign_bp,
                      campaign_console_bp, outbox_console_bp):
        app.register_blueprint(blueprint)

    from contest.judging.desk import may_view_entry
    from contest.quiz import personal as quiz_personal
    from contest.writing import personal as writing_personal

    # The own-data download gathers what every domain holds about the person.
    app.extensions["account_export_hooks"] = [quiz_personal.export_for,
                                              writing_personal.export_for]
    # Who may open an entry's anonymised page as its judge: judging answers for writing, which
    # asks these hooks (contest.writing.access) and never imports judging.
    app.extensions["entry_judge_hooks"] = [may_view_entry]

    from contest import cli, delivery, errors, perf, security
    from contest.outbox import inprocess as outbox_delivery

    # Queued mail and SMS leave after their commit: in this process or by `outbox work`.
    outbox_delivery.init_app(app)

    delivery.init_app(app)
    perf.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from contest.params import ContestRequest, refuse_nul_characters

    app.request_class = ContestRequest
    app.before_request(refuse_nul_characters)

    @app.before_request
    def _remember_path() -> None:
        g.request_path = request.path

    return app
