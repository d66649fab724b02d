"""Prize rewards of quiz rounds and writing contests; the jury's public comments on winners

Revision ID: b3f81c2a6d57
Revises: b7f2d04a9c31
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = 'b3f81c2a6d57'
down_revision = 'b7f2d04a9c31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prize_rewards', sa.JSON(), nullable=False,
                                      server_default='{}'))
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prize_rewards', sa.JSON(), nullable=False,
                                      server_default='{}'))
    op.create_table(
        'campaign_jury_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'],
                                name=op.f('fk_campaign_jury_comments_entry_id_writing_entries'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_campaign_jury_comments_author_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_jury_comments')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_campaign_jury_comments_entry_id')),
    )


def downgrade():
    op.drop_table('campaign_jury_comments')
    with op.batch_alter_table('writing_contests', schema=None) as batch_op:
        batch_op.drop_column('prize_rewards')
    with op.batch_alter_table('quiz_rounds', schema=None) as batch_op:
        batch_op.drop_column('prize_rewards')
