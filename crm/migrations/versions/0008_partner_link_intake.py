"""partner link and web-form referrals: the link's version, a referral's urgency and
the one-time key of the form that sent it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=8), server_default='routine', nullable=False))
        batch_op.add_column(sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_referral_submission_key', ['submission_key'])


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint('uq_referral_submission_key', type_='unique')
        batch_op.drop_column('submission_key')
        batch_op.drop_column('urgency')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('link_version')
