"""A ranking version per call (the shared ranking cache's key) and indexes for the list pages

Revision ID: 9d4e2b7c1a63
Revises: 5b7d1e9c2a40
Create Date: 2026-12-02 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4e2b7c1a63"
down_revision = "5b7d1e9c2a40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ranking_versions",
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id"), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("ranking_versions")
