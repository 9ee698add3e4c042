"""analytics: email events, webhook receipts, report opt-in

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:18:57.006880
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('signed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('signature_digest', name='uq_webhook_receipt_signature')
    )
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_receipt_at', ['received_at'], unique=False)

    op.create_table('email_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sg_event_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('machine_open', sa.Boolean(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sg_event_id', name='uq_email_event_sg_id')
    )
    with op.batch_alter_table('email_event', schema=None) as batch_op:
        batch_op.create_index('ix_email_event_at', ['event', 'at'], unique=False)
        batch_op.create_index('ix_email_event_message', ['message_id', 'event'], unique=False)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_cadence_enrolled', ['cadence_id', 'enrolled_at'], unique=False)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('machine_opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('clicked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('bounced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_message_partner_sent', ['partner_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_message_provider_id', ['provider_message_id'], unique=False)
        batch_op.create_index('ix_message_sent', ['sent_at'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_first_visit', ['first_visit_at', 'received_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_report', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('monthly_report')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_first_visit')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_sent')
        batch_op.drop_index('ix_message_provider_id')
        batch_op.drop_index('ix_message_partner_sent')
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('clicked_at')
        batch_op.drop_column('machine_opened_at')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('delivered_at')

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_cadence_enrolled')

    with op.batch_alter_table('email_event', schema=None) as batch_op:
        batch_op.drop_index('ix_email_event_message')
        batch_op.drop_index('ix_email_event_at')

    op.drop_table('email_event')
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_receipt_at')

    op.drop_table('webhook_receipt')
