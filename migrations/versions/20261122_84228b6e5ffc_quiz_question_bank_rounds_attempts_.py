"""quiz: question bank, rounds, attempts, results

Revision ID: 84228b6e5ffc
Revises: 90d2602f96c8
Created: 2026-11-22 01:18:57.948502
"""
from alembic import op
import sqlalchemy as sa


revision = '84228b6e5ffc'
down_revision = '90d2602f96c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['quiz_topics.id'], name=op.f('fk_quiz_topics_parent_id_quiz_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_topics'))
    )
    with op.batch_alter_table('quiz_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_topics_parent_id'), ['parent_id'], unique=False)

    op.create_table('quiz_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_format', sa.String(length=10), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=False),
    sa.Column('tags_text', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('revision_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'truefalse')", name=op.f('ck_quiz_questions_kind_known')),
    sa.ForeignKeyConstraint(['revision_of_id'], ['quiz_questions.id'], name=op.f('fk_quiz_questions_revision_of_id_quiz_questions')),
    sa.ForeignKeyConstraint(['topic_id'], ['quiz_topics.id'], name=op.f('fk_quiz_questions_topic_id_quiz_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_questions'))
    )
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_questions_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_questions_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_questions_retired'), ['retired'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_questions_topic_id'), ['topic_id'], unique=False)

    op.create_table('quiz_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.CheckConstraint('fraction >= -1 AND fraction <= 1', name=op.f('ck_quiz_options_fraction_range')),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_questions.id'], name=op.f('fk_quiz_options_question_id_quiz_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_options'))
    )
    with op.batch_alter_table('quiz_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_options_question_id'), ['question_id'], unique=False)

    op.create_table('quiz_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('selection', sa.String(length=8), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('multi_scoring', sa.String(length=16), nullable=False),
    sa.Column('prediction_enabled', sa.Boolean(), nullable=False),
    sa.Column('prediction_text', sa.Text(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('required_fields', sa.JSON(), nullable=False),
    sa.Column('prize_tiers', sa.JSON(), nullable=False),
    sa.Column('first_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('perfect_count', sa.Integer(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('attempts_allowed >= 1', name=op.f('ck_quiz_rounds_attempts_positive')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_quiz_rounds_closes_after_opens')),
    sa.CheckConstraint('time_limit_seconds >= 60', name=op.f('ck_quiz_rounds_time_limit_min')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quiz_rounds_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_rounds'))
    )
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_rounds_status'), ['status'], unique=False)

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('draw', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answers_saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('prediction', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), nullable=True),
    sa.Column('correct_count', sa.Integer(), nullable=True),
    sa.Column('time_ms', sa.Integer(), nullable=True),
    sa.Column('item_scores', sa.JSON(), nullable=True),
    sa.Column('auto_submitted', sa.Boolean(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_quiz_attempts_number_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'], name=op.f('fk_quiz_attempts_round_id_quiz_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('round_id', 'user_id', 'number', name=op.f('uq_quiz_attempts_round_id_user_id_number'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_open_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_quiz_attempts_round_status', ['round_id', 'status'], unique=False)

    op.create_table('quiz_round_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_questions.id'], name=op.f('fk_quiz_round_questions_question_id_quiz_questions')),
    sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'], name=op.f('fk_quiz_round_questions_round_id_quiz_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_round_questions')),
    sa.UniqueConstraint('round_id', 'question_id', name=op.f('uq_quiz_round_questions_round_id_question_id'))
    )
    with op.batch_alter_table('quiz_round_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_round_questions_round_id'), ['round_id'], unique=False)

    op.create_table('quiz_round_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 1', name=op.f('ck_quiz_round_quotas_count_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'], name=op.f('fk_quiz_round_quotas_round_id_quiz_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['quiz_topics.id'], name=op.f('fk_quiz_round_quotas_topic_id_quiz_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_round_quotas')),
    sa.UniqueConstraint('round_id', 'topic_id', name=op.f('uq_quiz_round_quotas_round_id_topic_id'))
    )
    with op.batch_alter_table('quiz_round_quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_round_quotas_round_id'), ['round_id'], unique=False)

    op.create_table('quiz_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('best_attempt_id', sa.Integer(), nullable=False),
    sa.Column('attempts_count', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('time_ms', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prediction', sa.Integer(), nullable=True),
    sa.Column('perfect', sa.Boolean(), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('exclusion_reason', sa.String(length=500), nullable=False),
    sa.Column('final_rank', sa.Integer(), nullable=True),
    sa.Column('tied', sa.Boolean(), nullable=False),
    sa.Column('prize', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['best_attempt_id'], ['quiz_attempts.id'], name=op.f('fk_quiz_results_best_attempt_id_quiz_attempts')),
    sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'], name=op.f('fk_quiz_results_round_id_quiz_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_quiz_results_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_results_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_results')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_quiz_results_round_id_user_id'))
    )
    with op.batch_alter_table('quiz_results', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_results_final', ['round_id', 'final_rank'], unique=False)
        # Live leaderboard order: best score first, then fastest, then earliest.
        batch_op.create_index(
            'ix_quiz_results_live',
            ['round_id', sa.text('score DESC'), 'time_ms', 'submitted_at', 'user_id'],
            unique=False,
        )
        batch_op.create_index('ix_quiz_results_unit', ['round_id', 'unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quiz_results', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_results_live')
        batch_op.drop_index('ix_quiz_results_unit')
        batch_op.drop_index('ix_quiz_results_final')

    op.drop_table('quiz_results')
    with op.batch_alter_table('quiz_round_quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_round_quotas_round_id'))

    op.drop_table('quiz_round_quotas')
    with op.batch_alter_table('quiz_round_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_round_questions_round_id'))

    op.drop_table('quiz_round_questions')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_round_status')
        batch_op.drop_index('ix_quiz_attempts_open_deadline')

    op.drop_table('quiz_attempts')
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_rounds_status'))

    op.drop_table('quiz_rounds')
    with op.batch_alter_table('quiz_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_options_question_id'))

    op.drop_table('quiz_options')
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_questions_topic_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_questions_retired'))
        batch_op.drop_index(batch_op.f('ix_quiz_questions_external_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_questions_active'))

    op.drop_table('quiz_questions')
    with op.batch_alter_table('quiz_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_topics_parent_id'))

    op.drop_table('quiz_topics')
