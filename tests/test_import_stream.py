"""Imports stream: the file is read, checked and written in batches, so a file of any
length imports in the memory of one batch, with the same results as one batch would
give: duplicates merged across batches, abort writing nothing when a later batch has a
bad row, every rejected row reported, and reasons in a marketer's words."""

import csv
import gc
import io
from collections.abc import Iterator

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import select

from crm.models import AuditLog, Contact, Partner
from crm.transfer import import_file
from crm.transfer.importer import candidates
from crm.transfer.reading import read_table
from tests.factories import make_partner

HEADER = ["Practice Name", "Type", "Address", "Notes"]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def seven(bad: int | None = None) -> bytes:
    """Seven partner rows (lines 2 to 8); line `bad` has an unknown type."""
    rows = [HEADER]
    for line in range(2, 9):
        kind = "nonsense" if line == bad else "pcp"
        rows.append([f"Clinic {line}", kind, f"{line} Main Street", ""])
    return csv_bytes(*rows)


def run(session, actor, now, data, **options):
    options.setdefault("batch_rows", 2)
    return import_file(session, actor, "partners", data, "partners.csv", now=now, **options)


def partner_count(session) -> int:
    return session.exec(select(func.count()).select_from(Partner)).one()


def test_the_reader_hands_out_rows_one_at_a_time_as_it_reads(session, marketer, now):
    table = read_table(io.BytesIO(seven()), "partners.csv")
    assert isinstance(table.rows, Iterator)
    rows = candidates(table, {0: "name", 1: "partner_type", 2: "address"})
    assert isinstance(rows, Iterator)
    assert next(rows).line == 2


def test_a_file_is_written_in_batches_of_the_size_asked(session, marketer, now):
    seen = []
    report = run(session, marketer, now, seven(), progress=seen.append)
    assert [step.rows for step in seen] == [2, 4, 6, 7, 7]
    assert (report.total_rows, report.inserted, report.written) == (7, 7, True)
    assert partner_count(session) == 7


def test_a_large_file_is_read_as_the_import_goes_not_all_at_once(session, marketer, now):
    rows = [HEADER] + [[f"Clinic {n}", "pcp", f"{n} Main Street", "x" * 40] for n in range(6_000)]
    data = csv_bytes(*rows)
    seen = []
    run(session, marketer, now, io.BytesIO(data), batch_rows=1_000, progress=seen.append)
    assert seen[0].done < len(data) / 2
    assert [step.rows for step in seen][:3] == [1_000, 2_000, 3_000]
    assert partner_count(session) == 6_000


def test_a_duplicate_batches_apart_is_merged_into_the_first_row_s_partner(session, marketer, now):
    data = csv_bytes(
        HEADER,
        ["Elm Family Medicine", "pcp", "12 Elm Street", ""],
        ["Oak PT", "pt", "9 Oak Ave", ""],
        ["Birch Ortho", "ortho", "1 Birch Rd", ""],
        ["Cedar Chiro", "chiropractor", "3 Cedar Ln", ""],
        ["Pine Urgent Care", "urgent care", "5 Pine St", ""],
        ["ELM FAMILY MEDICINE", "pcp", "12 Elm St.", "Ask for Dana"],
        ["Maple Gym", "gym", "7 Maple Ave", ""],
    )
    report = run(session, marketer, now, data)
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (6, 1, 0, [])
    elm = session.exec(select(Partner).where(Partner.address.ilike("12 Elm%"))).all()
    assert [(p.name, p.notes) for p in elm] == [("ELM FAMILY MEDICINE", "Ask for Dana")]
    assert partner_count(session) == 6


def test_the_same_file_gives_the_same_report_in_any_batch_size(session, marketer, now):
    data = csv_bytes(
        HEADER,
        ["Elm", "pcp", "1 Elm St", ""],
        ["Oak", "nonsense", "2 Oak St", ""],
        ["Elm", "pcp", "1 Elm St", "note"],
        ["Elm", "pcp", "1 Elm St", "note"],
    )
    small = run(session, marketer, now, data, dry_run=True, batch_rows=1)
    large = run(session, marketer, now, data, dry_run=True, batch_rows=5_000)
    assert small.to_dict() == large.to_dict()
    assert (small.inserted, small.updated, small.unchanged, len(small.rejected)) == (1, 1, 1, 1)


def test_abort_writes_nothing_when_a_later_batch_has_a_bad_row(session, marketer, now):
    report = run(session, marketer, now, seven(bad=8), on_error="abort")
    assert report.written is False
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (
            8,
            [
                "partner_type: unknown value 'nonsense'; expected one of: Primary care, "
                "Physical therapy, Orthopedics, Urgent care, Chiropractic, School, Sports club, "
                "Athletic training, Gym/wellness, Community organization, Other"
            ],
        )
    ]
    assert report.inserted == 6
    assert partner_count(session) == 0
    assert session.exec(select(func.count()).select_from(Contact)).one() == 0


def test_skip_writes_exactly_the_good_rows_of_every_batch(session, marketer, now):
    report = run(session, marketer, now, seven(bad=3), on_error="skip")
    assert report.written is True
    assert [r.line for r in report.rejected] == [3]
    names = session.exec(select(Partner.name).order_by(Partner.id)).all()
    assert names == [f"Clinic {line}" for line in (2, 4, 5, 6, 7, 8)]


def test_every_rejected_row_is_listed_across_batches(session, marketer, now):
    rows = [HEADER] + [[f"Clinic {n}", "nonsense", "", ""] for n in range(9)]
    report = run(session, marketer, now, csv_bytes(*rows), on_error="skip")
    assert [r.line for r in report.rejected] == list(range(2, 11))


def test_a_line_of_invalid_utf8_is_rejected_with_its_line_and_the_rest_imported(
    session, marketer, now
):
    lines = [b"Practice Name,Type,Address,Notes"]
    lines += [f"Caf\u00e9 {n},pcp,{n} Main St,".encode() for n in range(2, 7)]
    lines.append(b"Clinic \xff\xfe\xfa" + b"x" * 2_499 + b",pcp,7 Main St,")
    lines.append("Caf\u00e9 8,pcp,8 Main St,".encode())
    report = run(session, marketer, now, b"\r\n".join(lines) + b"\r\n", on_error="skip")
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (
            7,
            [
                "row: line 7 is not valid UTF-8 text (save the file as CSV UTF-8, "
                "or choose the encoding it was saved in)"
            ],
        )
    ]
    assert "\ufffd" in report.rejected[0].values["Practice Name"]
    names = session.exec(select(Partner.name).order_by(Partner.id)).all()
    assert names == [
        "Caf\u00e9 2",
        "Caf\u00e9 3",
        "Caf\u00e9 4",
        "Caf\u00e9 5",
        "Caf\u00e9 6",
        "Caf\u00e9 8",
    ]


def test_reasons_are_in_a_marketer_s_words(session, marketer, now):
    data = csv_bytes(
        ["Name", "Type", "Tier", "Contact Email", "Contact Name"],
        ["x" * 250, "pcp", "A", "", ""],
        ["Elm", "pcp", "Z", "", ""],
        ["Oak", "pcp", "A", "not an email", "Dana Smith"],
        ["", "pcp", "A", "", ""],
    )
    report = run(session, marketer, now, data, on_error="skip")
    reasons = {r.line: r.reasons for r in report.rejected}
    assert reasons[2] == ["name: longer than 200 characters (it has 250)"]
    assert reasons[3][0].startswith("tier: unknown value 'Z'; expected one of:")
    assert reasons[4][0].startswith("contact_email: invalid email 'not an email'")
    assert reasons[5] == ["name: required"]
    for row in report.rejected:
        for reason in row.reasons:
            assert "should" not in reason.lower() and "validation" not in reason.lower()


def test_a_yes_or_no_column_explains_what_to_write(session, marketer, now):
    import_file(
        session,
        marketer,
        "partners",
        csv_bytes(HEADER, ["Elm", "pcp", "1 Elm St", ""]),
        "partners.csv",
        now=now,
    )
    data = csv_bytes(
        ["Partner", "First Name", "Email", "Opt Out"],
        ["Elm", "Dana", "dana@elm.example.com", "perhaps"],
    )
    report = import_file(session, marketer, "contacts", data, "contacts.csv", now=now)
    assert report.rejected[0].reasons == [
        "email_opt_out: 'perhaps' is not yes or no; write yes or no (or true, false, 1, 0)"
    ]


def test_a_workbook_is_read_in_batches_too(session, marketer, now):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for line in range(2, 9):
        sheet.append([f"Clinic {line % 5}", "pcp", f"{line % 5} Main Street", f"n{line}"])
    out = io.BytesIO()
    book.save(out)
    seen = []
    report = import_file(
        session,
        marketer,
        "partners",
        out.getvalue(),
        "partners.xlsx",
        now=now,
        batch_rows=2,
        progress=seen.append,
    )
    assert (report.inserted, report.updated, report.rejected) == (5, 2, [])
    assert [step.rows for step in seen] == [2, 4, 6, 7, 7]
    assert seen[-1].fraction == 1.0
    assert partner_count(session) == 5


def test_past_a_thousand_rejected_rows_lines_and_reasons_are_kept_not_cells(session, marketer, now):
    rows = [HEADER] + [[f"Clinic {n}", "nonsense", "", ""] for n in range(1_005)]
    report = run(session, marketer, now, csv_bytes(*rows), batch_rows=500, on_error="skip")
    assert len(report.rejected) == 1_005
    assert report.cells_not_kept == 5
    assert report.rejected[999].values["Type"] == "nonsense"
    assert report.rejected[1_000].values == {}
    assert report.rejected[1_004].line == 1_006
    assert report.rejected[1_004].reasons[0].startswith("partner_type: unknown value")


def test_each_new_record_gets_its_own_id_after_deleted_ones(session, marketer, now):
    for _ in range(3):
        make_partner(session)
    last = session.exec(select(Partner).order_by(Partner.id.desc())).first()
    session.delete(last)
    session.commit()
    data = csv_bytes(
        ["Practice Name", "Type", "Address", "Contact Email"],
        *(
            [f"Clinic {n}", "pcp", f"{n} Main Street", f"office{n}@clinic{n}.example.com"]
            for n in range(5)
        ),
    )
    report = run(session, marketer, now, data, batch_rows=2)
    assert (report.inserted, report.contacts_inserted) == (5, 5)
    for partner in session.exec(select(Partner).where(Partner.name.like("Clinic %"))):
        n = partner.name.removeprefix("Clinic ")
        (contact,) = session.exec(select(Contact).where(Contact.partner_id == partner.id))
        assert contact.email == f"office{n}@clinic{n}.example.com"
        audit = session.exec(
            select(AuditLog).where(AuditLog.entity == "partner", AuditLog.entity_id == partner.id)
        ).one()
        assert f"Clinic {n}" in audit.changes


def test_the_collector_is_paused_while_importing_and_back_on_after(session, marketer, now):
    """The import pauses Python's collector for speed; the app must get it back, also
    when an import fails halfway."""
    during = []
    run(session, marketer, now, seven(), progress=lambda step: during.append(gc.isenabled()))
    assert during[:-1] == [False] * (len(during) - 1)
    assert gc.isenabled()

    def fail(step) -> None:
        raise RuntimeError("the page went away")

    with pytest.raises(RuntimeError):
        run(session, marketer, now, seven(), progress=fail)
    assert gc.isenabled()
    assert partner_count(session) == 7


def planned_for_the_keys(session, keys: list[str]) -> bool:
    """Whether the database, asked inside the import's own transaction, plans a lookup
    of `keys` as finding about that many partners: SQLite through the match key's index;
    PostgreSQL with an estimate near the number of keys (without statistics it believes
    the table nearly empty, and reads all of it for every batch)."""
    statement = select(Partner.id).where(Partner.match_key.in_(keys))
    connection = session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
        return any("ix_partner_match_key" in str(row[-1]) for row in plan)
    [[plan]] = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").all()
    return len(keys) / 2 <= plan[0]["Plan"]["Plan Rows"] <= 2 * len(keys)


def test_a_long_import_plans_its_lookups_for_the_rows_it_finds_as_the_table_fills(
    session, marketer, now
):
    """PostgreSQL plans from statistics of committed rows only: an import that fills an
    empty table in one transaction would otherwise go on scanning the whole table for
    every batch, ever slower as it grows (150,000 partners took 179 s instead of 24)."""
    rows = [HEADER] + [[f"Clinic {n}", "pcp", f"{n} Main Street", ""] for n in range(4_000)]
    planned: list[bool] = []

    def after_batch(_step) -> None:
        stored = session.exec(select(Partner.match_key).limit(400)).all()
        planned.append(planned_for_the_keys(session, list(stored)))

    report = run(session, marketer, now, csv_bytes(*rows), batch_rows=1_000, progress=after_batch)
    assert report.inserted == 4_000
    assert planned == [True] * 5
