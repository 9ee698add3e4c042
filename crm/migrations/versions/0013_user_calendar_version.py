"""user calendar version: a user's private calendar feed link can be rotated

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('calendar_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('calendar_version')
