"""segments, cadences, tasks, lifecycle history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:29:09.595884
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('definition', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('cadence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recurrence', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('rule_segment_id', sa.Integer(), nullable=True),
    sa.Column('exit_on_referral_source', sa.Boolean(), nullable=False),
    sa.Column('nurture_cadence_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['nurture_cadence_id'], ['cadence.id'], ),
    sa.ForeignKeyConstraint(['rule_segment_id'], ['segment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('partner_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('cause_id', sa.Integer(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('partner_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_status_change_partner', ['partner_id', 'at'], unique=False)
        batch_op.create_index('ix_status_change_to', ['to_status', 'at'], unique=False)

    op.create_table('segment_member',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], ),
    sa.PrimaryKeyConstraint('segment_id', 'partner_id')
    )
    with op.batch_alter_table('segment_member', schema=None) as batch_op:
        batch_op.create_index('ix_segment_member_partner', ['partner_id'], unique=False)

    op.create_table('cadence_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadence_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('contact_roles', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('offset_from', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), server_default='', nullable=False),
    sa.Column('template_values', sa.Text(), server_default='', nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cadence_id'], ['cadence.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cadence_step', schema=None) as batch_op:
        batch_op.create_index('ix_cadence_step_cadence', ['cadence_id', 'position'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadence_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('exit_reason', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('enrolled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('enrolled_by', sa.Integer(), nullable=True),
    sa.Column('anchor_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('next_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cadence_id'], ['cadence.id'], ),
    sa.ForeignKeyConstraint(['enrolled_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_due', ['status', 'next_due_at'], unique=False)
        batch_op.create_index('ix_enrolment_partner', ['partner_id', 'status'], unique=False)
        batch_op.create_index('uq_enrolment_live', ['cadence_id', 'partner_id'], unique=True, sqlite_where=sa.text("status IN ('active', 'paused')"), postgresql_where=sa.text("status IN ('active', 'paused')"))

    op.create_table('step_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ran_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['cadence_step.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrolment_id', 'step_id', 'occurrence', name='uq_step_run')
    )
    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), server_default='', nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('assigned_to', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('skip_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to'], ['users.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['cadence_step.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key', name='uq_task_idempotency_key')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_assignee_open', ['assigned_to', 'status', 'due_on'], unique=False)
        batch_op.create_index('ix_task_due', ['due_on', 'status'], unique=False)
        batch_op.create_index('ix_task_partner', ['partner_id'], unique=False)

    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_touch_task_id', 'task', ['task_id'], ['id'])
        batch_op.create_foreign_key('fk_touch_message_id', 'message', ['message_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.drop_constraint('fk_touch_message_id', type_='foreignkey')
        batch_op.drop_constraint('fk_touch_task_id', type_='foreignkey')
        batch_op.drop_column('task_id')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_partner')
        batch_op.drop_index('ix_task_due')
        batch_op.drop_index('ix_task_assignee_open')

    op.drop_table('task')
    op.drop_table('step_run')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('uq_enrolment_live', sqlite_where=sa.text("status IN ('active', 'paused')"), postgresql_where=sa.text("status IN ('active', 'paused')"))
        batch_op.drop_index('ix_enrolment_partner')
        batch_op.drop_index('ix_enrolment_due')

    op.drop_table('enrolment')
    with op.batch_alter_table('cadence_step', schema=None) as batch_op:
        batch_op.drop_index('ix_cadence_step_cadence')

    op.drop_table('cadence_step')
    with op.batch_alter_table('segment_member', schema=None) as batch_op:
        batch_op.drop_index('ix_segment_member_partner')

    op.drop_table('segment_member')
    with op.batch_alter_table('partner_status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_status_change_to')
        batch_op.drop_index('ix_status_change_partner')

    op.drop_table('partner_status_change')
    op.drop_table('cadence')
    op.drop_table('segment')
