"""A ranking version per call (the shared ranking cache's key) and indexes for the list pages

Revision ID: 9d4e2b7c1a63
Revises: 5b7d1e9c2a40
Create Date: 2026-12-02 16:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4e2b7c1a63"
down_revision = "9d4e2b7c1f30"
branch_labels = None
depends_on = None

# The same expression as nup.reviews.queries.CONFLICT_ORDER (an index on an expression is used
# only for that very expression).
CONFLICT_ORDER = "(CASE WHEN status = 'requested' THEN 0 ELSE 1 END)"


def upgrade():
    op.create_table(
        "ranking_versions",
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id"), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    # The officer's application list: each sort within a call, read in index order (a page, not the call).
    op.create_index("ix_applications_call_submitted", "applications", ["call_id", "submitted_at", "id"])
    op.create_index(
        "ix_applications_call_physical_ai",
        "applications",
        ["call_id", "physical_ai", sa.text("submitted_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_applications_call_company", "applications", ["call_id", "company_name", "id"])
    # The conflict list: requests first, then the newest.
    op.create_index(
        "ix_conflicts_call_order", "conflicts", ["call_id", sa.text(CONFLICT_ORDER), sa.text("created_at DESC")]
    )


def downgrade():
    op.drop_index("ix_conflicts_call_order", table_name="conflicts")
    op.drop_index("ix_applications_call_company", table_name="applications")
    op.drop_index("ix_applications_call_physical_ai", table_name="applications")
    op.drop_index("ix_applications_call_submitted", table_name="applications")
    op.drop_table("ranking_versions")
