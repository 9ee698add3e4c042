"""partner position: where each partner is on the map, and where that came from

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 01:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'position_source', sa.String(length=10), nullable=False, server_default=''
            )
        )
        batch_op.add_column(
            sa.Column(
                'position_address', sa.String(length=400), nullable=False, server_default=''
            )
        )
        batch_op.create_index('ix_partner_position', ['latitude', 'longitude'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_position')
        batch_op.drop_column('position_address')
        batch_op.drop_column('position_source')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
