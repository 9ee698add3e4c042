"""covering analytics indexes: the email, dormancy and outreach pages read a period's
rows from an index alone

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 01:40:00
"""
from __future__ import annotations

from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_WIDE = {
    'referral': {
        'ix_referral_partner_received': ['partner_id', 'received_at', 'location_id', 'service_line'],
        'ix_referral_received': ['received_at', 'partner_id', 'location_id', 'service_line'],
    },
    'message': {
        'ix_message_kind_created': ['kind', 'created_at', 'sent_at', 'partner_id', 'source'],
        'ix_message_sent': [
            'sent_at', 'kind', 'source', 'partner_id', 'delivered_at', 'opened_at',
            'machine_opened_at', 'clicked_at', 'bounced_at',
        ],
    },
}
_NARROW = {
    'referral': {
        'ix_referral_partner_received': ['partner_id', 'received_at'],
        'ix_referral_received': ['received_at'],
    },
    'message': {
        'ix_message_kind_created': ['kind', 'created_at'],
        'ix_message_sent': ['sent_at'],
    },
}


def _replace(indexes: dict[str, dict[str, list[str]]]) -> None:
    for table, by_name in indexes.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in by_name.items():
                batch_op.drop_index(name)
                batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    _replace(_WIDE)


def downgrade() -> None:
    _replace(_NARROW)
