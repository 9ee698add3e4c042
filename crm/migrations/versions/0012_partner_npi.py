"""partner npi: prospects from the NPI registry are found again by their NPI

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npi', sa.String(length=10), nullable=True))
        batch_op.create_index('ix_partner_npi', ['npi'], unique=True)
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_npi', ['npi'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_npi')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_npi')
        batch_op.drop_column('npi')
