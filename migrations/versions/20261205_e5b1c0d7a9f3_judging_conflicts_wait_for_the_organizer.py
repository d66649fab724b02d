"""Declared conflicts wait for an organizer: status, who decided, when and why

Revision ID: e5b1c0d7a9f3
Revises: c1ea9f11e5d0
Create Date: 2026-12-05

Declarations made before this change were already in force, so they start as "confirmed".
"""
import sqlalchemy as sa
from alembic import op

revision = 'e5b1c0d7a9f3'
down_revision = 'c1ea9f11e5d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('judging_conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False,
                                      server_default='confirmed'))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(op.f('fk_judging_conflicts_decided_by_id_users'), 'users',
                                    ['decided_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(op.f('ix_judging_conflicts_status'), ['status'])


def downgrade():
    with op.batch_alter_table('judging_conflicts', schema=None) as batch_op:
        batch_op.drop_index(op.f('ix_judging_conflicts_status'))
        batch_op.drop_constraint(op.f('fk_judging_conflicts_decided_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('status')
