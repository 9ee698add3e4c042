"""Moving records in and out of Liaison as CSV (and .xlsx, for import).

`import_file` is what both the `crm <kind> import` command and the app's import page
call; `export_csv` writes the same columns, so an export is also a template."""

from crm.transfer.exporter import export_csv
from crm.transfer.importer import ON_ERROR, import_file
from crm.transfer.kinds import ENTITIES
from crm.transfer.mappings import PROBLEM, ColumnPlan, column_plan, remember_mapping, stored_sample
from crm.transfer.reading import ENCODINGS, encoding_label, guess_encoding
from crm.transfer.report import ImportFileError, ImportProgress, ImportReport, RejectedRow

__all__ = [
    "ENCODINGS",
    "ENTITIES",
    "ColumnPlan",
    "ON_ERROR",
    "PROBLEM",
    "ImportFileError",
    "ImportProgress",
    "ImportReport",
    "RejectedRow",
    "column_plan",
    "encoding_label",
    "export_csv",
    "guess_encoding",
    "import_file",
    "remember_mapping",
    "stored_sample",
]
