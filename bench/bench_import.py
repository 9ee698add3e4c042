"""How long importing a realistic 10,000-row partner CSV takes, into a fresh database.

    .venv/bin/python bench/bench_import.py

prints `BENCH import_10k_rows <seconds> s`, and `BENCH import_10k_rows_postgres
<seconds> s` when LIAISON_BENCH_POSTGRES_URL names a PostgreSQL server. Only the import
is timed (reading, validating, matching, writing, auditing, committing)."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime

from common import Stopwatch, backends, fresh_database, report  # noqa: E402
from sqlmodel import Session  # noqa: E402

from crm.access import SYSTEM  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.transfer import import_file  # noqa: E402

ROWS = 10_000
NAMES = (
    "Harbor",
    "Elm",
    "Summit",
    "Riverside",
    "Maple",
    "Beacon",
    "Northshore",
    "Cedar",
    "Granite",
    "Bayview",
)
KINDS = (
    ("Family Medicine", "Primary care"),
    ("Physical Therapy", "PT"),
    ("Orthopaedics", "ortho"),
    ("Urgent Care", "urgent care"),
    ("Chiropractic", "chiropractor"),
    ("High School", "school"),
    ("Soccer Club", "club"),
    ("Fitness", "gym"),
)
STREETS = ("Main Street", "Washington St", "Elm Avenue", "Harbor Rd", "Commonwealth Ave", "Route 9")
PLACES = (
    ("Boston", "MA", "02118"),
    ("Cambridge", "MA", "02139"),
    ("Providence", "RI", "02903"),
    ("Worcester", "Massachusetts", "1608"),
    ("Nashua", "NH", "03060"),
    ("Hartford", "CT", "06103"),
)
TAGS = ("lunch-and-learn", "new", "sports", "pediatric", "spanish", "")


def partner_csv(rows: int, seed: int = 7) -> bytes:
    """Messy the way real lists are: aliases in the header, mixed-case types, state
    names, four-digit zips, phones written several ways, quoted notes with commas."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Practice Name",
            "Type",
            "Street Address",
            "City",
            "State",
            "Zip Code",
            "Phone Number",
            "Website",
            "Tier",
            "Territory",
            "Tags",
            "Notes",
        ]
    )
    for n in range(rows):
        suffix, kind = rng.choice(KINDS)
        city, state, zip_ = rng.choice(PLACES)
        phone = rng.choice(("({a}) 555-{b:04d}", "{a}-555-{b:04d}", "+1 {a} 555 {b:04d}")).format(
            a=rng.choice((617, 508, 401, 603, 860)), b=rng.randrange(10_000)
        )
        writer.writerow(
            [
                f"{rng.choice(NAMES)} {suffix} {n}",
                kind,
                f"{rng.randrange(1, 999)} {rng.choice(STREETS)}",
                city,
                state,
                zip_,
                phone,
                f"www.partner{n}.example.com",
                rng.choice("ABC"),
                f"{city} area",
                ", ".join(sorted({rng.choice(TAGS), rng.choice(TAGS)} - {""})),
                "Ask for the office manager, mornings",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def run(url: str, data: bytes) -> float:
    with Session(engine_for(url), expire_on_commit=False) as session, Stopwatch() as watch:
        result = import_file(
            session,
            SYSTEM,
            "partners",
            data,
            "partners.csv",
            now=datetime.now(UTC),
            on_error="abort",
        )
    if result.inserted != ROWS or result.rejected:
        raise SystemExit(f"the benchmark file did not import cleanly: {result.rejected[:3]}")
    return watch.seconds


def main() -> None:
    data = partner_csv(ROWS)
    for backend in backends():
        with fresh_database(backend) as url:
            seconds = run(url, data)
        report("import_10k_rows" + ("" if backend == "sqlite" else "_postgres"), seconds)


if __name__ == "__main__":
    main()
