"""Overseas-market support: agreements, support plans, milestones, KPI reports, checks

Revision ID: e2a95f6c8d14
Revises: 974760cc0a00
Create Date: 2026-11-28 20:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e2a95f6c8d14"
down_revision = "974760cc0a00"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('overseas_call_settings',
    sa.Column('call_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_overseas_call_settings_call_id_calls')),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_overseas_call_settings'))
    )
    op.create_table('support_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agreement_number', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('budget_won', sa.BigInteger(), nullable=False),
    sa.Column('target_countries', sa.JSON(), nullable=False),
    sa.Column('report_frequency', sa.String(length=10), nullable=False),
    sa.Column('report_due_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('risk_reasons', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_support_plans_application_id_applications')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_support_plans_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_support_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_plans_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_plans')),
    sa.UniqueConstraint('application_id', name=op.f('uq_support_plans_application_id'))
    )
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_plans_at_risk'), ['at_risk'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_plans_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_plans_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_plans_user_id'), ['user_id'], unique=False)

    op.create_table('kpi_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_label', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', sa.String(length=24), nullable=False),
    sa.Column('rate_source', sa.String(length=200), nullable=False),
    sa.Column('export_contracts', sa.Integer(), nullable=False),
    sa.Column('export_value_minor', sa.BigInteger(), nullable=False),
    sa.Column('export_value_won', sa.BigInteger(), nullable=False),
    sa.Column('overseas_sales_minor', sa.BigInteger(), nullable=False),
    sa.Column('overseas_sales_won', sa.BigInteger(), nullable=False),
    sa.Column('investment_minor', sa.BigInteger(), nullable=False),
    sa.Column('investment_won', sa.BigInteger(), nullable=False),
    sa.Column('jobs_overseas', sa.Integer(), nullable=False),
    sa.Column('jobs_domestic', sa.Integer(), nullable=False),
    sa.Column('entity_established', sa.Boolean(), nullable=False),
    sa.Column('entity_country', sa.String(length=2), nullable=False),
    sa.Column('entity_established_on', sa.Date(), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('officer_comment', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_kpi_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_kpi_reports_filed_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_kpi_reports_plan_id_support_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_reports')),
    sa.UniqueConstraint('plan_id', 'period_start', name='uq_kpi_reports_plan_period')
    )
    with op.batch_alter_table('kpi_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_reports_market'), ['market'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_reports_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_kpi_reports_status_period', ['status', 'period_start'], unique=False)

    op.create_table('plan_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('progress_rating', sa.Integer(), nullable=False),
    sa.Column('spend_rating', sa.Integer(), nullable=False),
    sa.Column('outcome_rating', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('action_due_on', sa.Date(), nullable=True),
    sa.Column('reclaim_grounds', sa.JSON(), nullable=False),
    sa.Column('reclaim_amount_won', sa.BigInteger(), nullable=False),
    sa.Column('follow_up_status', sa.String(length=10), nullable=False),
    sa.Column('follow_up_note', sa.Text(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_plan_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_plan_checks_plan_id_support_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_checks')),
    sa.UniqueConstraint('plan_id', 'kind', name='uq_plan_checks_plan_kind')
    )
    with op.batch_alter_table('plan_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_checks_plan_id'), ['plan_id'], unique=False)

    op.create_table('support_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('partner', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('budget_won', sa.BigInteger(), nullable=False),
    sa.Column('spent_won', sa.BigInteger(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('request_key', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_support_items_plan_id_support_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_items')),
    sa.UniqueConstraint('request_key', name=op.f('uq_support_items_request_key'))
    )
    with op.batch_alter_table('support_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_items_plan_id'), ['plan_id'], unique=False)

    op.create_table('kpi_report_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_kpi_report_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['kpi_reports.id'], name=op.f('fk_kpi_report_reviews_report_id_kpi_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_report_reviews'))
    )
    with op.batch_alter_table('kpi_report_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_report_reviews_report_id'), ['report_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['support_items.id'], name=op.f('fk_milestones_item_id_support_items')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_milestones_plan_id_support_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_milestones_status_due', ['status', 'due_on'], unique=False)

    op.create_table('support_spend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('exchange_rate', sa.String(length=24), nullable=False),
    sa.Column('amount_won', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('request_key', sa.String(length=40), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['support_items.id'], name=op.f('fk_support_spend_item_id_support_items')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_support_spend_plan_id_support_plans')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_support_spend_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_spend')),
    sa.UniqueConstraint('request_key', name=op.f('uq_support_spend_request_key'))
    )
    with op.batch_alter_table('support_spend', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_spend_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_spend_plan_id'), ['plan_id'], unique=False)

    op.create_table('overseas_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_overseas_evidence_milestone_id_milestones')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_overseas_evidence_plan_id_support_plans')),
    sa.ForeignKeyConstraint(['report_id'], ['kpi_reports.id'], name=op.f('fk_overseas_evidence_report_id_kpi_reports')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_overseas_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overseas_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_overseas_evidence_stored_name'))
    )
    with op.batch_alter_table('overseas_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overseas_evidence_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_overseas_evidence_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_overseas_evidence_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('overseas_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overseas_evidence_report_id'))
        batch_op.drop_index(batch_op.f('ix_overseas_evidence_plan_id'))
        batch_op.drop_index(batch_op.f('ix_overseas_evidence_milestone_id'))

    op.drop_table('overseas_evidence')
    with op.batch_alter_table('support_spend', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_spend_plan_id'))
        batch_op.drop_index(batch_op.f('ix_support_spend_item_id'))

    op.drop_table('support_spend')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_status_due')
        batch_op.drop_index(batch_op.f('ix_milestones_plan_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_item_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('kpi_report_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_report_reviews_report_id'))

    op.drop_table('kpi_report_reviews')
    with op.batch_alter_table('support_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_items_plan_id'))

    op.drop_table('support_items')
    with op.batch_alter_table('plan_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_checks_plan_id'))

    op.drop_table('plan_checks')
    with op.batch_alter_table('kpi_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_reports_status_period')
        batch_op.drop_index(batch_op.f('ix_kpi_reports_plan_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_reports_market'))

    op.drop_table('kpi_reports')
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_plans_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_plans_status'))
        batch_op.drop_index(batch_op.f('ix_support_plans_call_id'))
        batch_op.drop_index(batch_op.f('ix_support_plans_at_risk'))

    op.drop_table('support_plans')
    op.drop_table('overseas_call_settings')
