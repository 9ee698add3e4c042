"""referral status and first visit: the scheduler finds booked visits that have come

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:45:00
"""
from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_status_first_visit', ['status', 'first_visit_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status_first_visit')
