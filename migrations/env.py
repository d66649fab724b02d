"""Alembic environment: runs the migrations against the app's database.

SQLite needs batch mode (copy-and-move) for ALTER; it is switched on by Flask-Migrate's
``render_as_batch`` and passed through here. Types shared by the models are rendered as plain
SQLAlchemy types so that migration scripts do not import application code.
"""

import logging

from alembic import context
from flask import current_app

from contest.dbtypes import UTCDateTime

log = logging.getLogger("alembic.env")
migrate_ext = current_app.extensions["migrate"]
metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty(ctx, revision, directives):
    # `flask db migrate` with no model change should not write an empty script.
    autogenerate = getattr(context.config.cmd_opts, "autogenerate", False)
    if autogenerate and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_offline():
    context.configure(
        url=str(migrate_ext.db.engine.url), target_metadata=metadata, literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty)
    options.setdefault("render_item", render_item)
    options.setdefault("compare_type", True)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
