"""referral hour counts: the funnel's and overview's sums kept as referrals are written

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 01:40:00

Triggers on `referral` keep `referral_hour_count` in step with every write, whatever
issues it (the ORM, an import's executemany, the demo's COPY, plain SQL), in the same
transaction. SQLite has row triggers only; PostgreSQL gets statement triggers over the
transition tables, so a COPY of a million referrals costs one grouped upsert.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_KEY = "hour, partner_id, location_id, service_line, channel"
_STAGES = ("received", "contacted", "scheduled", "first_visit", "lost")
_ADD = ", ".join(f"{s} = referral_hour_count.{s} + excluded.{s}" for s in _STAGES)


def _sqlite_values(row: str, sign: str) -> str:
    return (
        f"strftime('%Y-%m-%d %H:00:00.000000', {row}.received_at), {row}.partner_id, "
        f"coalesce({row}.location_id, 0), {row}.service_line, {row}.channel, {sign}1, "
        f"{sign}({row}.contacted_at IS NOT NULL), {sign}({row}.scheduled_at IS NOT NULL), "
        f"{sign}({row}.first_visit_at IS NOT NULL), {sign}({row}.status = 'lost')"
    )


def _sqlite_upsert(row: str, sign: str) -> str:
    return (
        f"INSERT INTO referral_hour_count ({_KEY}, {', '.join(_STAGES)}) "
        f"VALUES ({_sqlite_values(row, sign)}) ON CONFLICT ({_KEY}) DO UPDATE SET {_ADD};"
    )


# an update that moves no count (a note, updated_at, scheduled to completed) writes nothing
_SQLITE_CHANGED = " OR ".join(
    [
        f"strftime('%Y-%m-%d %H', OLD.received_at) IS NOT strftime('%Y-%m-%d %H', NEW.received_at)",
        "OLD.partner_id IS NOT NEW.partner_id",
        "OLD.location_id IS NOT NEW.location_id",
        "OLD.service_line IS NOT NEW.service_line",
        "OLD.channel IS NOT NEW.channel",
        *(f"(OLD.{c} IS NULL) IS NOT (NEW.{c} IS NULL)" for c in ("contacted_at", "scheduled_at", "first_visit_at")),
        "(OLD.status = 'lost') IS NOT (NEW.status = 'lost')",
    ]
)

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER referral_hour_count_insert AFTER INSERT ON referral BEGIN "
    f"{_sqlite_upsert('NEW', '')} END",
    "CREATE TRIGGER referral_hour_count_delete AFTER DELETE ON referral BEGIN "
    f"{_sqlite_upsert('OLD', '-')} END",
    "CREATE TRIGGER referral_hour_count_update AFTER UPDATE ON referral "
    f"WHEN {_SQLITE_CHANGED} BEGIN {_sqlite_upsert('OLD', '-')} {_sqlite_upsert('NEW', '')} END",
)


def _pg_rows(table: str, sign: str) -> str:
    return (
        "SELECT date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, "
        "partner_id, coalesce(location_id, 0) AS location_id, service_line, channel, "
        f"{sign}1 AS received, {sign}(contacted_at IS NOT NULL)::int AS contacted, "
        f"{sign}(scheduled_at IS NOT NULL)::int AS scheduled, "
        f"{sign}(first_visit_at IS NOT NULL)::int AS first_visit, "
        f"{sign}(status = 'lost')::int AS lost FROM {table}"
    )


def _pg_upsert(*sources: str) -> str:
    sums = ", ".join(f"sum({s})" for s in _STAGES)
    moved = " OR ".join(f"sum({s}) <> 0" for s in _STAGES)
    return (
        f"INSERT INTO referral_hour_count ({_KEY}, {', '.join(_STAGES)}) "
        f"SELECT {_KEY}, {sums} FROM ({' UNION ALL '.join(sources)}) AS d "
        f"GROUP BY {_KEY} HAVING {moved} "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET {_ADD};"
    )


_PG_FUNCTION = f"""
CREATE FUNCTION referral_hour_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_upsert(_pg_rows('new_rows', ''))}
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_upsert(_pg_rows('old_rows', '-'))}
    ELSE
        {_pg_upsert(_pg_rows('old_rows', '-'), _pg_rows('new_rows', ''))}
    END IF;
    RETURN NULL;
END
$$
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER referral_hour_count_insert AFTER INSERT ON referral "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION referral_hour_count_apply()",
    "CREATE TRIGGER referral_hour_count_delete AFTER DELETE ON referral "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION referral_hour_count_apply()",
    "CREATE TRIGGER referral_hour_count_update AFTER UPDATE ON referral "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION referral_hour_count_apply()",
)

_TRIGGER_NAMES = ("referral_hour_count_insert", "referral_hour_count_delete", "referral_hour_count_update")

_SQLITE_FILL = (
    f"INSERT INTO referral_hour_count ({_KEY}, {', '.join(_STAGES)}) "
    "SELECT strftime('%Y-%m-%d %H:00:00.000000', received_at), partner_id, coalesce(location_id, 0), "
    "service_line, channel, count(*), count(contacted_at), count(scheduled_at), count(first_visit_at), "
    "sum(status = 'lost') FROM referral GROUP BY 1, 2, 3, 4, 5"
)

_PG_FILL = (
    f"INSERT INTO referral_hour_count ({_KEY}, {', '.join(_STAGES)}) "
    "SELECT date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', partner_id, "
    "coalesce(location_id, 0), service_line, channel, count(*), count(contacted_at), "
    "count(scheduled_at), count(first_visit_at), count(*) FILTER (WHERE status = 'lost') "
    "FROM referral GROUP BY 1, 2, 3, 4, 5"
)


def upgrade() -> None:
    op.create_table('referral_hour_count',
    sa.Column('hour', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('partner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('location_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_line', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('contacted', sa.Integer(), nullable=False),
    sa.Column('scheduled', sa.Integer(), nullable=False),
    sa.Column('first_visit', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'partner_id', 'location_id', 'service_line', 'channel'),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('referral_hour_count', schema=None) as batch_op:
        batch_op.create_index('ix_referral_hour_count_partner', ['partner_id', 'hour', 'received'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
        op.execute(_PG_FILL)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute(_SQLITE_FILL)


def downgrade() -> None:
    for name in _TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON referral" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS referral_hour_count_apply()")
    with op.batch_alter_table('referral_hour_count', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_hour_count_partner')
    op.drop_table('referral_hour_count')
