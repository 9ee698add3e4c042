"""Tables as files: what leadership downloads must read as the page showed it."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import load_workbook

from crm.analytics.tables import csv_bytes, excel_bytes, sheet_name

FIGURES = pd.DataFrame(
    {
        "metric": ["Referrals", "Median days to first appointment"],
        "current": [4, None],
        "previous": [0, 2.5],
    },
    dtype=object,
)


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_count_stays_a_whole_number_in_a_column_with_a_gap() -> None:
    assert [r["current"] for r in rows(csv_bytes(FIGURES))] == ["4", ""]


def test_the_csv_opens_in_excel_with_accents_intact() -> None:
    data = csv_bytes(pd.DataFrame({"partner": ["Clínica Peña"]}))
    assert data.startswith(b"\xef\xbb\xbf") and rows(data) == [{"partner": "Clínica Peña"}]


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    table = pd.DataFrame(
        {"partner": ['=HYPERLINK("http://evil.example","Oak")', "Oak Orthopedics"]}
    )
    assert [r["partner"] for r in rows(csv_bytes(table))] == [
        '\'=HYPERLINK("http://evil.example","Oak")',
        "Oak Orthopedics",
    ]
    sheet = load_workbook(io.BytesIO(excel_bytes({"Partners": table}))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")


def test_the_workbook_has_one_sheet_per_table_with_its_values() -> None:
    book = load_workbook(
        io.BytesIO(
            excel_bytes(
                {
                    "Figures": FIGURES,
                    "Lost: by reason?": pd.DataFrame(
                        {"reason": ["No insurance"], "referrals": [3]}
                    ),
                }
            )
        )
    )
    assert book.sheetnames == ["Figures", "Lost  by reason"]
    assert [c.value for c in book["Figures"][2]] == ["Referrals", 4, 0]
    assert [c.value for c in book["Lost  by reason"][2]] == ["No insurance", 3]


def test_a_sheet_name_fits_excels_rules() -> None:
    assert (
        sheet_name("Referrals per partner per month, last twelve months")
        == "Referrals per partner per month"
    )
    assert sheet_name("[]:*?/\\") == "Sheet"
