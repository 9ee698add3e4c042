"""partner surveys: the Four C's survey requests (one per contact per quarter) and answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('message_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('commented_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.ForeignKeyConstraint(['sent_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'quarter', name='uq_survey_request_contact_quarter')
    )
    with op.batch_alter_table('survey_request', schema=None) as batch_op:
        batch_op.create_index('ix_survey_request_due', ['answered_at', 'reminded_at', 'sent_at'], unique=False)
        batch_op.create_index('ix_survey_request_partner', ['partner_id', 'quarter'], unique=False)
        batch_op.create_index('ix_survey_request_quarter', ['quarter'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['survey_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'question', name='uq_survey_answer_question')
    )


def downgrade() -> None:
    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_request', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_request_quarter')
        batch_op.drop_index('ix_survey_request_partner')
        batch_op.drop_index('ix_survey_request_due')
    op.drop_table('survey_request')
