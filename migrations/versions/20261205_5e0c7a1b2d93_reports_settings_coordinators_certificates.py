"""Reports and certificates: report settings, unit coordinators, certificates

Revision ID: 5e0c7a1b2d93
Revises: 5e0b7a3c9d41
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

revision = '5e0c7a1b2d93'
down_revision = '5e0b7a3c9d41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organizing_body', sa.String(length=300), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('age_bands', sa.JSON(), nullable=False),
        sa.Column('signatory_name', sa.String(length=120), nullable=False),
        sa.Column('signatory_title', sa.String(length=200), nullable=False),
        sa.Column('place', sa.String(length=120), nullable=False),
        sa.Column('number_suffix', sa.String(length=30), nullable=False),
        sa.Column('participation_certificates', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_settings')),
    )
    op.create_table(
        'unit_coordinators',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'],
                                name=op.f('fk_unit_coordinators_granted_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_unit_coordinators_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_unit_coordinators_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_unit_coordinators')),
    )
    with op.batch_alter_table('unit_coordinators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_coordinators_unit_id'), ['unit_id'],
                              unique=False)
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('number_suffix', sa.String(length=30), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source_key', sa.String(length=80), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('quiz_round_id', sa.Integer(), nullable=True),
        sa.Column('writing_contest_id', sa.Integer(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('recipient_name', sa.String(length=200), nullable=False),
        sa.Column('prize', sa.String(length=20), nullable=False),
        sa.Column('achievement', sa.String(length=300), nullable=False),
        sa.Column('event_title', sa.String(length=300), nullable=False),
        sa.Column('work_title', sa.String(length=300), nullable=False),
        sa.Column('organizing_body', sa.String(length=300), nullable=False),
        sa.Column('signatory_name', sa.String(length=120), nullable=False),
        sa.Column('signatory_title', sa.String(length=200), nullable=False),
        sa.Column('place', sa.String(length=120), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=False),
        sa.Column('reissue_of_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['writing_entries.id'],
                                name=op.f('fk_certificates_entry_id_writing_entries')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                                name=op.f('fk_certificates_issued_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['quiz_round_id'], ['quiz_rounds.id'],
                                name=op.f('fk_certificates_quiz_round_id_quiz_rounds')),
        sa.ForeignKeyConstraint(['reissue_of_id'], ['certificates.id'],
                                name=op.f('fk_certificates_reissue_of_id_certificates')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_certificates_user_id_users')),
        sa.ForeignKeyConstraint(['writing_contest_id'], ['writing_contests.id'],
                                name=op.f('fk_certificates_writing_contest_id_writing_contests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
        sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
        sa.UniqueConstraint('source_key', 'revision',
                            name=op.f('uq_certificates_source_key_revision')),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_source_key', ['source_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_quiz_round_id'), ['quiz_round_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_writing_contest_id'),
                              ['writing_contest_id'], unique=False)


def downgrade():
    op.drop_table('certificates')
    with op.batch_alter_table('unit_coordinators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_coordinators_unit_id'))
    op.drop_table('unit_coordinators')
    op.drop_table('report_settings')
