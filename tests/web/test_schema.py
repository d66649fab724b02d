"""The schema that the migrations build matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from contest.extensions import db


def _sqlite_desc_index_noise(diff: list) -> list:
    """SQLite's reflection does not report DESC in an index, so an index with a descending
    column shows as removed and added again under the same name. Drop exactly those pairs."""
    removed = {d[1].name for d in diff if d[0] == "remove_index"}
    added = {d[1].name for d in diff if d[0] == "add_index"}
    same = removed & added
    return [d for d in diff if not (d[0] in ("remove_index", "add_index") and d[1].name in same)]


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    if db.engine.dialect.name == "sqlite":
        diff = _sqlite_desc_index_noise(diff)
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
