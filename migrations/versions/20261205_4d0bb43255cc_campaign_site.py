"""The campaign site: its settings, news posts, materials and featured items

Revision ID: 4d0bb43255cc
Revises: 5e0c7a1b2d93
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op


revision = '4d0bb43255cc'
down_revision = '5e0c7a1b2d93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('link_url', sa.String(length=1000), nullable=False),
    sa.Column('thumb_name', sa.String(length=80), nullable=True),
    sa.Column('thumb_width', sa.Integer(), nullable=True),
    sa.Column('thumb_height', sa.Integer(), nullable=True),
    sa.Column('download_count', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(stored_name IS NOT NULL) OR (link_url <> '')", name=op.f('ck_campaign_materials_file_or_link')),
    sa.CheckConstraint('download_count >= 0', name=op.f('ck_campaign_materials_downloads_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_materials')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_campaign_materials_stored_name'))
    )
    with op.batch_alter_table('campaign_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_materials_audience'), ['audience'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_materials_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_materials_position'), ['position'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_materials_published'), ['published'], unique=False)

    op.create_table('campaign_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_name_vi', sa.String(length=200), nullable=False),
    sa.Column('org_name_en', sa.String(length=200), nullable=False),
    sa.Column('title_vi', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('intro_vi', sa.Text(), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('hotline', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('legal_basis_vi', sa.Text(), nullable=False),
    sa.Column('legal_basis_en', sa.Text(), nullable=False),
    sa.Column('board_members', sa.Text(), nullable=False),
    sa.Column('controller_vi', sa.Text(), nullable=False),
    sa.Column('controller_en', sa.Text(), nullable=False),
    sa.Column('controller_contact', sa.String(length=254), nullable=False),
    sa.Column('footer_vi', sa.Text(), nullable=False),
    sa.Column('footer_en', sa.Text(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=True),
    sa.Column('period_to', sa.Date(), nullable=True),
    sa.Column('logo_name', sa.String(length=80), nullable=True),
    sa.Column('logo_width', sa.Integer(), nullable=True),
    sa.Column('logo_height', sa.Integer(), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_settings'))
    )
    op.create_table('campaign_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('image_name', sa.String(length=80), nullable=True),
    sa.Column('image_width', sa.Integer(), nullable=True),
    sa.Column('image_height', sa.Integer(), nullable=True),
    sa.Column('image_alt', sa.String(length=200), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_campaign_news_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_news')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaign_news_slug'))
    )
    with op.batch_alter_table('campaign_news', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_news_publish_at'), ['publish_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_news_status'), ['status'], unique=False)

    op.create_table('campaign_featured',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('news_id', sa.Integer(), nullable=True),
    sa.Column('material_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(news_id IS NULL) <> (material_id IS NULL)', name=op.f('ck_campaign_featured_one_item')),
    sa.ForeignKeyConstraint(['material_id'], ['campaign_materials.id'], name=op.f('fk_campaign_featured_material_id_campaign_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['news_id'], ['campaign_news.id'], name=op.f('fk_campaign_featured_news_id_campaign_news'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_featured')),
    sa.UniqueConstraint('material_id', name=op.f('uq_campaign_featured_material_id')),
    sa.UniqueConstraint('news_id', name=op.f('uq_campaign_featured_news_id'))
    )
    op.create_table('campaign_result_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['quiz_rounds.id'], name=op.f('fk_campaign_result_shares_round_id_quiz_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_result_shares_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_result_shares')),
    sa.UniqueConstraint('token', name=op.f('uq_campaign_result_shares_token')),
    sa.UniqueConstraint('user_id', 'round_id', name=op.f('uq_campaign_result_shares_user_id_round_id'))
    )
    with op.batch_alter_table('campaign_result_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_result_shares_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_result_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_result_shares_user_id'))

    op.drop_table('campaign_result_shares')
    op.drop_table('campaign_featured')
    with op.batch_alter_table('campaign_news', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_news_status'))
        batch_op.drop_index(batch_op.f('ix_campaign_news_publish_at'))

    op.drop_table('campaign_news')
    op.drop_table('campaign_settings')
    with op.batch_alter_table('campaign_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_materials_published'))
        batch_op.drop_index(batch_op.f('ix_campaign_materials_position'))
        batch_op.drop_index(batch_op.f('ix_campaign_materials_category'))
        batch_op.drop_index(batch_op.f('ix_campaign_materials_audience'))

    op.drop_table('campaign_materials')
