"""The schema that the migrations build matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from contest.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrations_have_a_single_head(app):
    cfg = Config()
    cfg.set_main_option("script_location", app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_database_is_at_the_head_revision(app):
    cfg = Config()
    cfg.set_main_option("script_location", app.extensions["migrate"].directory)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
