"""programs: events, reviews, seasonal, referral updates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:07:05.253986
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0004"
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compensation_limit',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('limit_cents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('sport_season',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sport', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('season', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'sport', name='uq_sport_season')
    )
    op.create_table('seasonal_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sport', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('season', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('send_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('enqueued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'sport', 'phase', name='uq_seasonal_send')
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('speaker', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('venue_partner_id', sa.Integer(), nullable=True),
    sa.Column('venue_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('cost_per_attendee_cents', sa.Integer(), nullable=False),
    sa.Column('audience_segment_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audience_segment_id'], ['segment.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['venue_partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_starts', ['starts_at'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('visit_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_patient', ['patient_id', 'visit_at'], unique=False)
        batch_op.create_index('ix_visit_when', ['visit_at'], unique=False)

    op.create_table('event_invitee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('rsvp', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('rsvp_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('waitlisted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('checked_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('invited_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'contact_id', name='uq_event_invitee')
    )
    with op.batch_alter_table('event_invitee', schema=None) as batch_op:
        batch_op.create_index('ix_event_invitee_contact', ['contact_id'], unique=False)
        batch_op.create_index('ix_event_invitee_partner', ['partner_id'], unique=False)

    op.create_table('referral_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('happened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('referral_id', 'stage', name='uq_referral_update')
    )
    with op.batch_alter_table('referral_update', schema=None) as batch_op:
        batch_op.create_index('ix_referral_update_pending', ['status', 'partner_id'], unique=False)

    op.create_table('review_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('clicked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('reminder_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['reminder_message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visit_id', name='uq_review_request_visit')
    )
    with op.batch_alter_table('review_request', schema=None) as batch_op:
        batch_op.create_index('ix_review_request_patient', ['patient_id', 'requested_at'], unique=False)
        batch_op.create_index('ix_review_request_status', ['status', 'requested_at'], unique=False)

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('update_preference', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False, server_default='per_referral'))



def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('update_preference')

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('review_url')

    with op.batch_alter_table('review_request', schema=None) as batch_op:
        batch_op.drop_index('ix_review_request_status')
        batch_op.drop_index('ix_review_request_patient')

    op.drop_table('review_request')
    with op.batch_alter_table('referral_update', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_update_pending')

    op.drop_table('referral_update')
    with op.batch_alter_table('event_invitee', schema=None) as batch_op:
        batch_op.drop_index('ix_event_invitee_partner')
        batch_op.drop_index('ix_event_invitee_contact')

    op.drop_table('event_invitee')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_when')
        batch_op.drop_index('ix_visit_patient')

    op.drop_table('visit')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_starts')

    op.drop_table('event')
    op.drop_table('seasonal_send')
    op.drop_table('sport_season')
    op.drop_table('compensation_limit')
