"""How long importing a realistic partner CSV takes, into a fresh database, and how
much memory a large one needs.

    .venv/bin/python bench/bench_import.py

prints `BENCH import_10k_rows <seconds> s` (10,000 rows, in this process), then for a
400,000-row file (about 28 MB, every row good) `BENCH import_400k_rows_s <seconds> s`
and `BENCH import_400k_peak_rss_mb <MB> MB` (and the child's CPU seconds,
`import_400k_cpu_s`, which a busy machine does not inflate), each with a `_postgres` twin when
LIAISON_BENCH_POSTGRES_URL names a PostgreSQL server. Only the import is timed (reading,
validating, matching, writing, auditing, committing). The large import runs in a child
process reading the file from disk, so its peak resident memory is the import's own,
not the generator's or the 10k run's; `--rows N` sets the large file's length."""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from common import Stopwatch, backends, fresh_database, report, report_value, run_child  # noqa: E402
from sqlmodel import Session  # noqa: E402

from crm.access import SYSTEM  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.transfer import import_file  # noqa: E402

ROWS = 10_000
LARGE_ROWS = 400_000
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
    out = io.StringIO()
    write_partner_csv(out, rows, seed)
    return out.getvalue().encode("utf-8-sig")


def write_partner_csv(out: IO[str], rows: int, seed: int = 7) -> None:
    """Messy the way real lists are: aliases in the header, mixed-case types, state
    names, four-digit zips, phones written several ways, quoted notes with commas."""
    rng = random.Random(seed)
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


def import_path(url: str, path: str, rows: int) -> None:
    """The child's side: import the file from disk and print the seconds it took."""
    started = time.perf_counter()
    with open(path, "rb") as data, Session(engine_for(url), expire_on_commit=False) as session:
        result = import_file(
            session,
            SYSTEM,
            "partners",
            data,
            Path(path).name,
            now=datetime.now(UTC),
            on_error="abort",
        )
    if result.inserted != rows or result.rejected or not result.written:
        raise SystemExit(f"the benchmark file did not import cleanly: {result.rejected[:3]}")
    print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)


def large(url: str, path: str, rows: int) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak resident MB of the import in its own process."""
    run = run_child([sys.executable, __file__, "--child", url, path, "--rows", str(rows)])
    seconds = json.loads(run.output.strip().splitlines()[-1])["seconds"]
    return seconds, run.cpu_seconds, run.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("URL", "PATH"))
    parser.add_argument("--rows", type=int, default=LARGE_ROWS)
    parser.add_argument("--large-only", action="store_true")
    options = parser.parse_args()
    if options.child:
        import_path(*options.child, options.rows)
        return
    if not options.large_only:
        data = partner_csv(ROWS)
        for backend in backends():
            with fresh_database(backend) as url:
                seconds = run(url, data)
            report("import_10k_rows" + ("" if backend == "sqlite" else "_postgres"), seconds)
    with tempfile.TemporaryDirectory(prefix="liaison-bench-import-") as folder:
        path = str(Path(folder) / "partners-400k.csv")
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            write_partner_csv(out, options.rows)
        for backend in backends():
            suffix = "" if backend == "sqlite" else "_postgres"
            with fresh_database(backend) as url:
                seconds, cpu, peak_mb = large(url, path, options.rows)
            report_value("import_400k_rows_s" + suffix, seconds, "s")
            report_value("import_400k_cpu_s" + suffix, cpu, "s")
            report_value("import_400k_peak_rss_mb" + suffix, peak_mb, "MB")


if __name__ == "__main__":
    main()
