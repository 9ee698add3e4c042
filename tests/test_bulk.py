"""`insert_rows`: many rows in one executemany at the driver's speed, stored exactly as
SQLAlchemy's own insert stores them."""

from datetime import timedelta

from sqlalchemy import insert, select, text

from crm.bulk import insert_rows
from crm.models import Contact, Partner
from tests.factories import make_partner

TABLE = Contact.__table__


def contact_rows(partner_id: int, now, first: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        {
            "partner_id": partner_id,
            "first_name": f"{first} {n}",
            "last_name": "Reyes",
            "role": "other",
            "email": None if n % 2 else f"office{n}@elm.example.org",
            "phone": "+16175550100",
            "npi": None,
            "email_opt_out": bool(n % 2),
            "notes": "",
            "archived_at": None if n % 2 else now - timedelta(days=n, microseconds=n),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(3)
    ]


def stored(session, first: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The values as the database holds them (raw, no type processing), but the id."""
    found = session.connection().exec_driver_sql(
        "SELECT first_name, last_name, role, email, phone, npi, email_opt_out, notes, "
        "archived_at, created_at, updated_at FROM contact ORDER BY id"
    )
    return [(row[0].replace(first, ""), *row[1:]) for row in found if row[0].startswith(first)]


def test_rows_are_stored_exactly_as_sqlalchemys_insert_stores_them(session, now):
    partner = make_partner(session)
    session.execute(insert(TABLE), contact_rows(partner.id, now, "Core"))
    insert_rows(session, TABLE, contact_rows(partner.id, now, "Bulk"))
    assert stored(session, "Bulk") == stored(session, "Core")
    assert len(stored(session, "Bulk")) == 3


def test_a_column_default_the_rows_leave_out_is_still_applied(session, now):
    partner = make_partner(session)
    rows = contact_rows(partner.id, now, "Bulk")
    for row in rows:
        del row["role"]  # the model's default is "other"
    insert_rows(session, TABLE, rows)
    roles = session.execute(select(Contact.role).where(Contact.first_name.startswith("Bulk")))
    assert list(roles.scalars()) == ["other"] * 3


def test_no_rows_insert_nothing(session):
    insert_rows(session, Partner.__table__, [])
    assert session.connection().execute(text("SELECT count(*) FROM partner")).scalar() == 0
