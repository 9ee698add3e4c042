"""How long the NPI registry import takes over a million-row file in NPPES's exact
layout (all 330 columns, every field quoted, as CMS writes it), filtered to one state,
and how much memory it holds at its peak.

    .venv/bin/python bench/bench_nppes.py

prints `BENCH nppes_import_1m_rows_s <seconds> s` and `BENCH nppes_import_peak_rss_mb
<megabytes> MB` (and `_postgres` variants when LIAISON_BENCH_POSTGRES_URL names a
server). The import runs in a process of its own, so its peak resident memory is the
import's alone, not the generator's; its time includes that process starting. The
figure for a quarter of the file, `nppes_import_250k_peak_rss_mb`, shows that memory
does not grow with the file."""

from __future__ import annotations

import json
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from common import backends, fresh_database, report, report_value, run_child  # noqa: E402
from sqlmodel import Session  # noqa: E402

from crm.access import SYSTEM  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.prospects import layout  # noqa: E402
from crm.prospects.nppes import import_nppes  # noqa: E402
from crm.prospects.reading import Area  # noqa: E402

ROWS = 1_000_000
STATE = "MA"
OTHER_STATES = ("NY", "CA", "TX", "FL", "PA", "OH", "IL", "NJ", "NC", "GA", "WA", "AZ")
TAXONOMIES = (
    "207Q00000X",
    "207R00000X",
    "208000000X",
    "225100000X",
    "207X00000X",
    "111N00000X",
    "2255A2300X",
    "261QU0200X",
    "207QS0010X",
    "213E00000X",
    "122300000X",  # dentist: outside the default filter
    "183500000X",  # pharmacist: outside the default filter
    "363L00000X",
)
MA_ZIPS = ("02115", "02116", "02139", "02138", "01060", "01602", "02301", "01810", "02445")


def npi_for(n: int) -> str:
    base = f"1{n:08d}"
    total = 0
    for i, char in enumerate(reversed("80840" + base)):
        digit = int(char)
        if i % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return base + str((10 - total % 10) % 10)


def write_file(path: Path, rows: int, seed: int = 11) -> None:
    """One in twenty rows in Massachusetts, a fifth of them organisations, one in a
    hundred a deactivated NPI (blank but for the NPI and dates, as published)."""
    rng = random.Random(seed)
    width = len(layout.HEADER)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(f'"{name}"' for name in layout.HEADER) + "\n")
        for n in range(rows):
            cells = [""] * width
            cells[layout.NPI] = npi_for(n)
            if rng.random() < 0.01:
                cells[layout.DEACTIVATION_DATE] = "05/01/2025"
                out.write('"' + '","'.join(cells) + '"\n')
                continue
            in_state = rng.random() < 0.05
            state = STATE if in_state else rng.choice(OTHER_STATES)
            postal = rng.choice(MA_ZIPS) if in_state else f"{rng.randint(10000, 99999)}"
            organisation = rng.random() < 0.2
            cells[layout.ENTITY_TYPE] = "2" if organisation else "1"
            if organisation:
                cells[layout.ORGANIZATION_NAME] = f"HEALTH GROUP {n} LLC"
                cells[layout.COLUMN["Authorized Official Last Name"]] = "SMITH"
                cells[layout.COLUMN["Authorized Official First Name"]] = "PAT"
            else:
                cells[layout.FIRST_NAME] = rng.choice(("ANA", "JO", "LEE", "SAM", "KIM"))
                cells[layout.LAST_NAME] = f"PROVIDER{n}"
                cells[layout.CREDENTIAL] = rng.choice(("MD", "DO", "DPT", "DC", "NP"))
                cells[layout.COLUMN["Provider Gender Code"]] = rng.choice("FM")
            street = f"{rng.randint(1, 3000)} {rng.choice(('MAIN', 'ELM', 'OAK'))} ST"
            for prefix in ("Mailing", "Practice Location"):
                line1 = (
                    "Provider First Line Business Mailing Address"
                    if prefix == "Mailing"
                    else "Provider First Line Business Practice Location Address"
                )
                cells[layout.COLUMN[line1]] = street
                cells[layout.COLUMN[f"Provider Business {prefix} Address City Name"]] = "TOWN"
                cells[layout.COLUMN[f"Provider Business {prefix} Address State Name"]] = state
                cells[layout.COLUMN[f"Provider Business {prefix} Address Postal Code"]] = (
                    postal + f"{rng.randint(0, 9999):04d}"
                )
                cells[
                    layout.COLUMN[
                        f"Provider Business {prefix} Address Country Code (If outside U.S.)"
                    ]
                ] = "US"
                cells[layout.COLUMN[f"Provider Business {prefix} Address Telephone Number"]] = (
                    f"617555{rng.randint(0, 9999):04d}"
                )
            cells[layout.COLUMN["Provider Enumeration Date"]] = "03/15/2007"
            cells[layout.COLUMN["Last Update Date"]] = "07/08/2024"
            for slot in range(rng.choice((1, 1, 2, 3))):
                cells[layout.TAXONOMY_CODES[slot]] = rng.choice(TAXONOMIES)
                cells[layout.TAXONOMY_CODES[slot] + 1] = f"L{n}{slot}"
                cells[layout.TAXONOMY_CODES[slot] + 2] = state
                cells[layout.PRIMARY_SWITCHES[slot]] = "Y" if slot == 0 else "N"
            cells[layout.COLUMN["Other Provider Identifier_1"]] = f"M{n}"
            cells[layout.COLUMN["Other Provider Identifier Type Code_1"]] = "05"
            cells[layout.COLUMN["Other Provider Identifier State_1"]] = state
            out.write('"' + '","'.join(cells) + '"\n')


def child(path: str, url: str) -> None:
    """The import alone, in this process: its report on stdout."""
    with Session(engine_for(url), expire_on_commit=False) as session, open(path, "rb") as raw:
        result = import_nppes(session, SYSTEM, raw, Area(state=STATE), now=datetime.now(UTC))
    print(json.dumps(result.to_dict()))


def measure(path: Path, url: str) -> tuple[float, float, dict[str, int]]:
    """Seconds and peak resident megabytes of one import in a fresh process."""
    run = run_child([sys.executable, __file__, "--child", str(path), url])
    return run.seconds, run.peak_mb, json.loads(run.output)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-nppes-") as folder:
        quarter = Path(folder) / "npidata_pfile_250k.csv"
        full = Path(folder) / "npidata_pfile_1m.csv"
        write_file(quarter, ROWS // 4)
        write_file(full, ROWS)
        for backend in backends():
            suffix = "" if backend == "sqlite" else "_postgres"
            with fresh_database(backend) as url:
                _, small_peak, _ = measure(quarter, url)
            with fresh_database(backend) as url:
                seconds, peak, result = measure(full, url)
            if result["rows_read"] != ROWS or not result["contacts_new"]:
                raise SystemExit(f"the benchmark file did not import as expected: {result}")
            report(f"nppes_import_1m_rows_s{suffix}", seconds)
            report_value(f"nppes_import_peak_rss_mb{suffix}", peak, "MB")
            report_value(f"nppes_import_250k_peak_rss_mb{suffix}", small_peak, "MB")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
