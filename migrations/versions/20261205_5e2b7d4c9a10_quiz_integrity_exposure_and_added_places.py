"""Quiz integrity: questions exposed by published keys, exposed questions allowed per round,
places added to a prize tier with a reason (quiz rounds and judging rounds)

Revision ID: 5e2b7d4c9a10
Revises: e5b1c0d7a9f3
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

revision = '5e2b7d4c9a10'
down_revision = 'e5b1c0d7a9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_question_exposures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('exposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['quiz_questions.id'],
                                name=op.f('fk_quiz_question_exposures_question_id_quiz_questions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'],
                                name=op.f('fk_quiz_question_exposures_round_id_quiz_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question_exposures')),
        sa.UniqueConstraint('question_id', 'round_id',
                            name=op.f('uq_quiz_question_exposures_question_id_round_id')),
    )
    with op.batch_alter_table('quiz_question_exposures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_question_exposures_question_id'),
                              ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_question_exposures_round_id'),
                              ['round_id'], unique=False)
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_places', sa.JSON(), nullable=False,
                                      server_default='{}'))
        batch_op.add_column(sa.Column('allow_exposed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_places', sa.JSON(), nullable=False,
                                      server_default='{}'))


def downgrade():
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.drop_column('extra_places')
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.drop_column('allow_exposed')
        batch_op.drop_column('extra_places')
    with op.batch_alter_table('quiz_question_exposures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_question_exposures_round_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_question_exposures_question_id'))
    op.drop_table('quiz_question_exposures')
