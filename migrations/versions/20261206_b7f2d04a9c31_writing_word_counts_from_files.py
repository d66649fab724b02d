"""Word counts of entries from their files: where a count came from, organizers' overrides,
and each document file's own count

Revision ID: b7f2d04a9c31
Revises: 4d0bb43255cc
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7f2d04a9c31'
down_revision = '4d0bb43255cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('writing_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word_source', sa.String(length=10), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('word_uncounted', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('word_override', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('word_override_reason', sa.String(length=500),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('word_override_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('word_override_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(op.f('fk_writing_entries_word_override_by_id_users'),
                                    'users', ['word_override_by_id'], ['id'],
                                    ondelete='SET NULL')
    # Counts stored before this revision came from the typed text or a Word file.
    op.execute("UPDATE writing_entries SET word_source = CASE WHEN body_source <> '' "
               "THEN 'text' ELSE 'files' END WHERE word_count IS NOT NULL")
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('words_read', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.drop_column('words_read')
        batch_op.drop_column('word_count')
    with op.batch_alter_table('writing_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_writing_entries_word_override_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('word_override_at')
        batch_op.drop_column('word_override_by_id')
        batch_op.drop_column('word_override_reason')
        batch_op.drop_column('word_override')
        batch_op.drop_column('word_uncounted')
        batch_op.drop_column('word_source')
