"""Audit events are append-only in the database too (PostgreSQL trigger)

The ORM already refuses to update or delete an AuditEvent; this trigger refuses it for any SQL
reaching PostgreSQL (a bulk UPDATE, a hand-typed DELETE, a future service). The one change let
through is the foreign key's own ON DELETE SET NULL: if a person's account row is ever removed,
their events stay and only lose the link to them. TRUNCATE (used to empty test databases) is
not a row change and is not affected. SQLite has no such trigger; the ORM rule covers it.

Revision ID: 5e0b7a3c9d41
Revises: 5e2b7d4c9a10
Create Date: 2026-12-05

"""
from alembic import op

revision = '5e0b7a3c9d41'
down_revision = '5e2b7d4c9a10'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
       AND NEW.subject_type = OLD.subject_type AND NEW.subject_id = OLD.subject_id
       AND NEW.reason IS NOT DISTINCT FROM OLD.reason
       AND NEW.details::text IS NOT DISTINCT FROM OLD.details::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
               "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
