"""writing contests: categories, entries, co-authors, series parts, files, jury

Revision ID: db0a7420018b
Revises: 84228b6e5ffc
Created: 2026-11-22 01:23:15.210649
"""
from alembic import op
import sqlalchemy as sa


revision = 'db0a7420018b'
down_revision = '84228b6e5ffc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('writing_contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('submission_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submission_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('publication_from', sa.Date(), nullable=False),
    sa.Column('publication_to', sa.Date(), nullable=False),
    sa.Column('max_entries_per_author', sa.Integer(), nullable=False),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('jury_may_enter', sa.Boolean(), nullable=False),
    sa.Column('allow_prior_awards', sa.Boolean(), nullable=False),
    sa.Column('code_prefix', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('max_entries_per_author >= 1', name=op.f('ck_writing_contests_cap_positive')),
    sa.CheckConstraint('publication_to >= publication_from', name=op.f('ck_writing_contests_publication_order')),
    sa.CheckConstraint('submission_closes_at > submission_opens_at', name=op.f('ck_writing_contests_window_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_contests'))
    )
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_contests_status'), ['status'], unique=False)

    op.create_table('writing_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('medium', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('min_words', sa.Integer(), nullable=True),
    sa.Column('max_words', sa.Integer(), nullable=True),
    sa.Column('series_allowed', sa.Boolean(), nullable=False),
    sa.Column('max_series_parts', sa.Integer(), nullable=False),
    sa.Column('accepted_kinds', sa.JSON(), nullable=False),
    sa.Column('max_file_mb', sa.Integer(), nullable=False),
    sa.Column('max_files', sa.Integer(), nullable=False),
    sa.Column('file_required', sa.Boolean(), nullable=False),
    sa.Column('link_required', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_file_mb >= 1', name=op.f('ck_writing_categories_file_mb_positive')),
    sa.CheckConstraint('max_series_parts >= 1', name=op.f('ck_writing_categories_parts_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_writing_categories_contest_id_writing_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_categories'))
    )
    with op.batch_alter_table('writing_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_categories_contest_id'), ['contest_id'], unique=False)

    op.create_table('writing_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('pen_name', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=True),
    sa.Column('is_series', sa.Boolean(), nullable=False),
    sa.Column('prior_award', sa.String(length=500), nullable=False),
    sa.Column('receipt_code', sa.String(length=20), nullable=True),
    sa.Column('anon_code', sa.String(length=20), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disqualified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disqualified_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_writing_entries_author_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['writing_categories.id'], name=op.f('fk_writing_entries_category_id_writing_categories')),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_writing_entries_contest_id_writing_contests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_entries')),
    sa.UniqueConstraint('contest_id', 'anon_code', name=op.f('uq_writing_entries_contest_id_anon_code')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_writing_entries_receipt_code'))
    )
    with op.batch_alter_table('writing_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_entries_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_entries_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_entries_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_entries_status'), ['status'], unique=False)

    op.create_table('writing_jurors',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_writing_jurors_contest_id_writing_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_writing_jurors_user_id_users')),
    sa.PrimaryKeyConstraint('contest_id', 'user_id', name=op.f('pk_writing_jurors'))
    )
    op.create_table('writing_coauthors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_writing_coauthors_entry_id_writing_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_writing_coauthors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_coauthors'))
    )
    with op.batch_alter_table('writing_coauthors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_coauthors_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_coauthors_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_coauthors_user_id'), ['user_id'], unique=False)

    op.create_table('writing_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('clean_name', sa.String(length=80), nullable=True),
    sa.Column('clean_warning', sa.String(length=500), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_writing_files_entry_id_writing_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_writing_files_stored_name'))
    )
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_files_entry_id'), ['entry_id'], unique=False)

    op.create_table('writing_series_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_writing_series_parts_entry_id_writing_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_writing_series_parts'))
    )
    with op.batch_alter_table('writing_series_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_series_parts_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('quiz_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_results_live'))
        batch_op.create_index('ix_quiz_results_live', ['round_id', sa.literal_column('score DESC'), 'time_ms', 'submitted_at', 'user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quiz_results', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_results_live')
        batch_op.create_index(batch_op.f('ix_quiz_results_live'), ['round_id', 'score', 'time_ms', 'submitted_at', 'user_id'], unique=False)

    with op.batch_alter_table('writing_series_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_series_parts_entry_id'))

    op.drop_table('writing_series_parts')
    with op.batch_alter_table('writing_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_files_entry_id'))

    op.drop_table('writing_files')
    with op.batch_alter_table('writing_coauthors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_coauthors_user_id'))
        batch_op.drop_index(batch_op.f('ix_writing_coauthors_entry_id'))
        batch_op.drop_index(batch_op.f('ix_writing_coauthors_email'))

    op.drop_table('writing_coauthors')
    op.drop_table('writing_jurors')
    with op.batch_alter_table('writing_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_entries_status'))
        batch_op.drop_index(batch_op.f('ix_writing_entries_contest_id'))
        batch_op.drop_index(batch_op.f('ix_writing_entries_category_id'))
        batch_op.drop_index(batch_op.f('ix_writing_entries_author_id'))

    op.drop_table('writing_entries')
    with op.batch_alter_table('writing_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_categories_contest_id'))

    op.drop_table('writing_categories')
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_contests_status'))

    op.drop_table('writing_contests')
