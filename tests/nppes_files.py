"""NPPES data files for tests: rows in the registry's exact layout (all of its columns,
in order), written as CMS writes them (every field quoted)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from crm.prospects import layout


def npi_for(n: int) -> str:
    """A valid NPI (Luhn check digit over the 80840 prefix) made from a serial."""
    base = f"1{n:08d}"
    digits = [int(d) for d in "80840" + base]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return base + str((10 - total % 10) % 10)


def row(
    npi: str,
    *,
    entity: str = "1",
    organisation: str = "",
    first: str = "",
    last: str = "",
    credential: str = "",
    address: str = "1 Main St",
    city: str = "Boston",
    state: str = "MA",
    postal: str = "021151234",
    phone: str = "6175550100",
    taxonomies: tuple[str, ...] = ("207Q00000X",),
    primary: int = 1,
    deactivated: str = "",
    reactivated: str = "",
) -> list[str]:
    cells = [""] * len(layout.HEADER)
    values: dict[int, Any] = {
        layout.NPI: npi,
        layout.ENTITY_TYPE: entity,
        layout.ORGANIZATION_NAME: organisation,
        layout.FIRST_NAME: first,
        layout.LAST_NAME: last,
        layout.CREDENTIAL: credential,
        layout.ADDRESS_1: address,
        layout.CITY: city,
        layout.STATE: state,
        layout.POSTAL_CODE: postal,
        layout.COUNTRY: "US",
        layout.PHONE: phone,
        layout.DEACTIVATION_DATE: deactivated,
        layout.REACTIVATION_DATE: reactivated,
    }
    if deactivated:
        # The published file blanks a deactivated NPI's row but for the NPI and dates.
        values = {
            layout.NPI: npi,
            layout.DEACTIVATION_DATE: deactivated,
            layout.REACTIVATION_DATE: reactivated,
        }
    for index, value in values.items():
        cells[index] = value
    if not deactivated:
        for slot, code in enumerate(taxonomies):
            cells[layout.TAXONOMY_CODES[slot]] = code
            cells[layout.PRIMARY_SWITCHES[slot]] = "Y" if slot + 1 == primary else "N"
    return cells


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(layout.HEADER)
        writer.writerows(rows)
    return path
