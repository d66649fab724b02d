"""judging: rubrics, rounds, conflicts, assignments, score sheets, results, readers' vote

Revision ID: eecc76aba23f
Revises: db0a7420018b
Created: 2026-11-22 01:44:47.657205
"""
from alembic import op
import sqlalchemy as sa


revision = 'eecc76aba23f'
down_revision = 'db0a7420018b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('judging_rubrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('scale', sa.Float(), nullable=False),
    sa.Column('is_template', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('scale > 0', name=op.f('ck_judging_rubrics_scale_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_rubrics'))
    )
    op.create_table('judging_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_judging_criteria_max_points_positive')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_judging_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['rubric_id'], ['judging_rubrics.id'], name=op.f('fk_judging_criteria_rubric_id_judging_rubrics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_criteria'))
    )
    with op.batch_alter_table('judging_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_criteria_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('judging_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('judges_per_entry', sa.Integer(), nullable=False),
    sa.Column('panels_by', sa.String(length=10), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('judges_see_others', sa.Boolean(), nullable=False),
    sa.Column('aggregation', sa.String(length=10), nullable=False),
    sa.Column('disagreement_threshold', sa.Float(), nullable=False),
    sa.Column('advancement', sa.String(length=10), nullable=False),
    sa.Column('advancement_value', sa.Float(), nullable=False),
    sa.Column('prize_counts', sa.JSON(), nullable=False),
    sa.Column('aggregated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('judges_per_entry >= 1', name=op.f('ck_judging_rounds_k_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_judging_rounds_contest_id_writing_contests')),
    sa.ForeignKeyConstraint(['rubric_id'], ['judging_rubrics.id'], name=op.f('fk_judging_rounds_rubric_id_judging_rubrics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_rounds')),
    sa.UniqueConstraint('contest_id', 'position', name=op.f('uq_judging_rounds_contest_id_position'))
    )
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_rounds_contest_id'), ['contest_id'], unique=False)

    op.create_table('judging_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_judging_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_judging_invitations_contest_id_writing_contests')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_judging_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_judging_invitations_token_hash'))
    )
    with op.batch_alter_table('judging_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_invitations_contest_id'), ['contest_id'], unique=False)

    op.create_table('judging_round_judges',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=40), nullable=False),
    sa.Column('max_load', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_judging_round_judges_judge_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_round_judges_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'judge_id', name=op.f('pk_judging_round_judges'))
    )
    op.create_table('judging_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_judging_assignments_entry_id_writing_entries')),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_judging_assignments_judge_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_assignments_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_assignments')),
    sa.UniqueConstraint('round_id', 'entry_id', 'judge_id', name=op.f('uq_judging_assignments_round_id_entry_id_judge_id'))
    )
    with op.batch_alter_table('judging_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_assignments_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_assignments_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_assignments_round_id'), ['round_id'], unique=False)

    op.create_table('judging_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_judging_conflicts_contest_id_writing_contests')),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_judging_conflicts_entry_id_writing_entries')),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_judging_conflicts_judge_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_conflicts'))
    )
    with op.batch_alter_table('judging_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_conflicts_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_conflicts_judge_id'), ['judge_id'], unique=False)

    op.create_table('judging_reader_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['writing_categories.id'], name=op.f('fk_judging_reader_votes_category_id_writing_categories')),
    sa.ForeignKeyConstraint(['contest_id'], ['writing_contests.id'], name=op.f('fk_judging_reader_votes_contest_id_writing_contests')),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_judging_reader_votes_entry_id_writing_entries')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_judging_reader_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_reader_votes')),
    sa.UniqueConstraint('contest_id', 'category_id', 'user_id', name=op.f('uq_judging_reader_votes_contest_id_category_id_user_id'))
    )
    with op.batch_alter_table('judging_reader_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_reader_votes_entry_id'), ['entry_id'], unique=False)

    op.create_table('judging_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('n_judges', sa.Integer(), nullable=False),
    sa.Column('low', sa.Float(), nullable=True),
    sa.Column('high', sa.Float(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('tied', sa.Boolean(), nullable=False),
    sa.Column('prize', sa.String(length=4), nullable=True),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_judging_results_entry_id_writing_entries')),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_results_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_results')),
    sa.UniqueConstraint('round_id', 'entry_id', name=op.f('uq_judging_results_round_id_entry_id'))
    )
    with op.batch_alter_table('judging_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_results_round_id'), ['round_id'], unique=False)

    op.create_table('judging_round_entries',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'], name=op.f('fk_judging_round_entries_entry_id_writing_entries')),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_round_entries_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'entry_id', name=op.f('pk_judging_round_entries'))
    )
    op.create_table('judging_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('private_comment', sa.Text(), nullable=False),
    sa.Column('entrant_comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['judging_assignments.id'], name=op.f('fk_judging_sheets_assignment_id_judging_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_sheets')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_judging_sheets_assignment_id'))
    )
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        # Existing contests get no readers' vote.
        batch_op.add_column(sa.Column('readers_vote', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('vote_opens_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('vote_closes_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        batch_op.drop_column('vote_closes_at')
        batch_op.drop_column('vote_opens_at')
        batch_op.drop_column('readers_vote')

    op.drop_table('judging_sheets')
    op.drop_table('judging_round_entries')
    with op.batch_alter_table('judging_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_results_round_id'))

    op.drop_table('judging_results')
    with op.batch_alter_table('judging_reader_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_reader_votes_entry_id'))

    op.drop_table('judging_reader_votes')
    with op.batch_alter_table('judging_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_conflicts_judge_id'))
        batch_op.drop_index(batch_op.f('ix_judging_conflicts_contest_id'))

    op.drop_table('judging_conflicts')
    with op.batch_alter_table('judging_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_assignments_round_id'))
        batch_op.drop_index(batch_op.f('ix_judging_assignments_judge_id'))
        batch_op.drop_index(batch_op.f('ix_judging_assignments_entry_id'))

    op.drop_table('judging_assignments')
    op.drop_table('judging_round_judges')
    with op.batch_alter_table('judging_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_invitations_contest_id'))

    op.drop_table('judging_invitations')
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_rounds_contest_id'))

    op.drop_table('judging_rounds')
    with op.batch_alter_table('judging_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_criteria_rubric_id'))

    op.drop_table('judging_criteria')
    op.drop_table('judging_rubrics')
