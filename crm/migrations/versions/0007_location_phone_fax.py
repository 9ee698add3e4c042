"""location phone and fax: printed on the partners' referral forms

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('fax', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('fax')
        batch_op.drop_column('phone')
