"""Writing files held back from judges: who checked an uncleaned file, and when

Revision ID: c1ea9f11e5d0
Revises: a7c3e91d4b20
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

revision = 'c1ea9f11e5d0'
down_revision = 'a7c3e91d4b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_writing_files_checked_by_id_users'), 'users',
                                    ['checked_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_writing_files_checked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('checked_by_id')
        batch_op.drop_column('checked_at')
