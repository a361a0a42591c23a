"""A registration number may appear on several applications to a call (officers are told, not founders)

Revision ID: 5b7d1e9c2a40
Revises: f8ee9580c79d
Create Date: 2026-12-02 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b7d1e9c2a40'
down_revision = "3c7a1e5b9d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applications_call_brn', type_='unique')
        batch_op.create_index('ix_applications_call_brn', ['call_id', 'business_registration_number'], unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_call_brn')
        batch_op.create_unique_constraint('uq_applications_call_brn', ['call_id', 'business_registration_number'])
