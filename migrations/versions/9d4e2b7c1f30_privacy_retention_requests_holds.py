"""Personal data: legal holds, the person's requests, files waiting for removal, purge markers

Revision ID: 9d4e2b7c1f30
Revises: 5b7d1e9c2a40
Create Date: 2026-12-02 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4e2b7c1f30'
down_revision = "5b7d1e9c2a40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legal_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_legal_holds_application_id_applications'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_legal_holds_user_id_users'),
        sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name='fk_legal_holds_placed_by_id_users'),
        sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name='fk_legal_holds_lifted_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_legal_holds'),
    )
    op.create_index('ix_legal_holds_application_id', 'legal_holds', ['application_id'])
    op.create_index('ix_legal_holds_user_id', 'legal_holds', ['user_id'])
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_privacy_requests_user_id_users'),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name='fk_privacy_requests_answered_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_privacy_requests'),
    )
    op.create_index('ix_privacy_requests_user_id', 'privacy_requests', ['user_id'])
    op.create_index('ix_privacy_requests_status', 'privacy_requests', ['status'])
    op.create_index('ix_privacy_requests_due_at', 'privacy_requests', ['due_at'])
    op.create_table(
        'file_deletions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_file_deletions'),
        sa.UniqueConstraint('path', name='uq_file_deletions_path'),
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('purge_rule', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('evaluation_purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_applications_anonymised_at', ['anonymised_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reports_purged_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.drop_column('reports_purged_at')
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_anonymised_at')
        batch_op.drop_column('evaluation_purged_at')
        batch_op.drop_column('purge_rule')
        batch_op.drop_column('anonymised_at')
    op.drop_table('file_deletions')
    op.drop_index('ix_privacy_requests_due_at', table_name='privacy_requests')
    op.drop_index('ix_privacy_requests_status', table_name='privacy_requests')
    op.drop_index('ix_privacy_requests_user_id', table_name='privacy_requests')
    op.drop_table('privacy_requests')
    op.drop_index('ix_legal_holds_user_id', table_name='legal_holds')
    op.drop_index('ix_legal_holds_application_id', table_name='legal_holds')
    op.drop_table('legal_holds')
