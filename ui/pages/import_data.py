"""Import and export: after upload, each column of the file is shown with the field it
goes to (or "don't import") and the first rows under those fields; a file with the
headers of one imported before maps itself as it did then. The file is always previewed
as a dry run first, and only the "Commit import" button writes it (and remembers the
mapping). Viewers see the exports only."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st
from sqlmodel import Session

from crm import clock
from crm.db import session_scope
from crm.transfer import (
    ENCODINGS,
    ENTITIES,
    PROBLEM,
    ColumnPlan,
    ImportFileError,
    ImportProgress,
    ImportReport,
    column_plan,
    encoding_label,
    export_csv,
    guess_encoding,
    import_file,
    remember_mapping,
    stored_sample,
)
from ui.shell import AppContext, context
from ui.widgets import show_flash

_PREVIEW = "_import_preview"
_SKIP = "don't import"
_DONE = "_import_done"
_ON_ERROR = {
    "abort": "Import nothing if any row has a problem",
    "skip": "Skip rows with problems and import the rest",
}


def render(ctx: AppContext) -> None:
    st.title("Import & export" if ctx.actor.can_edit else "Export")
    show_flash()
    if ctx.actor.can_edit:
        _import(ctx)
        st.divider()
    _exports(ctx)


def _import(ctx: AppContext) -> None:
    st.subheader("Import a spreadsheet", anchor=False)
    left, right = st.columns(2)
    entity = left.selectbox(
        "What the file holds", ENTITIES, format_func=str.capitalize, key="import_entity"
    )
    on_error = right.radio(
        "When a row has a problem",
        list(_ON_ERROR),
        format_func=_ON_ERROR.get,
        key="import_on_error",
    )
    upload = st.file_uploader("CSV or Excel file", type=["csv", "xlsx"], key="import_file")
    _last_result()
    if upload is None:
        st.caption(
            "Rows are matched to existing records, so importing the same file twice changes nothing."
        )
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    encoding = _encoding(data, upload.name, digest)
    plan = _plan(ctx, entity, data, upload.name, encoding)
    if plan is None:
        return
    mapping = _mapping_step(ctx, plan, digest)
    fingerprint = (
        entity,
        on_error,
        upload.name,
        digest,
        encoding,
        tuple(sorted(mapping.items())),
    )
    run = partial(
        _run, ctx, entity, data, upload.name, on_error, mapping=mapping, encoding=encoding
    )
    if st.button("Preview import", icon=":material/preview:", key="import_preview"):
        report = run(dry_run=True)
        st.session_state[_PREVIEW] = (fingerprint, report)
    preview = st.session_state.get(_PREVIEW)
    if preview is None or preview[0] != fingerprint or preview[1] is None:
        st.caption("Preview first: nothing is written until you commit.")
        return
    report = preview[1]
    _report(report)
    blocked = _why_not_commit(report)
    if blocked:
        st.warning(blocked)
    if st.button(
        "Commit import",
        type="primary",
        icon=":material/done_all:",
        disabled=bool(blocked),
        key="import_commit",
    ):
        result = run(dry_run=False)
        st.session_state.pop(_PREVIEW, None)
        if result is not None:
            if result.written:
                with session_scope(ctx.engine) as session:
                    remember_mapping(session, ctx.actor, entity, mapping, clock.now())
            st.session_state[_DONE] = result
            st.rerun()


def _encoding(data: bytes, filename: str, digest: str) -> str | None:
    """The CSV's text encoding: the one detected, preselected, or the person's choice
    when the accents come out wrong. None for a workbook, which has none."""
    try:
        guess = guess_encoding(data, filename)
    except ImportFileError:
        return None  # the plan says why the file cannot be imported
    if guess is None:
        return None
    options = list(ENCODINGS) if guess in ENCODINGS else [guess, *ENCODINGS]
    return st.selectbox(
        "Text encoding",
        options,
        index=options.index(guess),
        format_func=encoding_label,
        key=f"import_encoding_{digest[:12]}",
        help="Detected from the file. If accents or symbols look wrong in the first rows, "
        "choose the encoding the file was saved in.",
    )


def _plan(
    ctx: AppContext, entity: str, data: bytes, filename: str, encoding: str | None
) -> ColumnPlan | None:
    try:
        with Session(ctx.engine) as session:
            return column_plan(session, entity, data, filename, encoding)
    except ImportFileError as exc:
        st.error(f"This file cannot be imported: {exc}")
        return None


def _mapping_step(ctx: AppContext, plan: ColumnPlan, digest: str) -> dict[str, str]:
    """Each column with the field it goes to; the choices are the person's to change, and
    a layout imported before opens folded, already mapped as it was then."""
    options = [_SKIP, *plan.fields]
    if plan.remembered:
        st.success(
            "Columns mapped as for the last file with these headers.",
            icon=":material/auto_fix_high:",
        )
    box = st.expander("Columns", expanded=not plan.remembered)
    mapping: dict[str, str] = {}
    for index, header in enumerate(plan.headers):
        chosen = plan.mapping.get(header) or _SKIP
        picked = box.selectbox(
            header,
            options,
            index=options.index(chosen) if chosen in options else 0,
            key=f"import_map_{plan.entity}_{digest[:12]}_{plan.encoding}_{index}",
            help="The field this column goes to.",
        )
        mapping[header] = "" if picked == _SKIP else picked
    missing = [name for name in plan.required if name not in mapping.values()]
    if missing:
        box.caption(f"Still needed: {', '.join(missing)}.")
    kept = [i for i, header in enumerate(plan.headers) if mapping[header]]
    if plan.sample and kept:
        st.markdown("**First rows, by the field each column goes to, as they will be stored**")
        with Session(ctx.engine) as session:
            rows = pd.DataFrame(stored_sample(session, plan, mapping, ctx.zone))
        if not rows[PROBLEM].any():
            rows = rows.drop(columns=[PROBLEM])
        st.dataframe(rows, hide_index=True)
    return mapping


def _run(
    ctx: AppContext,
    entity: str,
    data: bytes,
    filename: str,
    on_error: str,
    *,
    dry_run: bool,
    mapping: dict[str, str],
    encoding: str | None,
) -> ImportReport | None:
    bar = st.progress(0.0, text="Checking rows…" if dry_run else "Importing…")

    def progress(step: ImportProgress) -> None:
        bar.progress(step.fraction or 0.0, text=f"{step.rows:,} rows read")

    try:  # import_file commits what it writes and rolls back a preview itself
        with session_scope(ctx.engine) as session:
            return import_file(
                session,
                ctx.actor,
                entity,
                data,
                filename,
                on_error=on_error,
                dry_run=dry_run,
                now=clock.now(),
                progress=progress,
                zone=ctx.zone,
                columns=mapping,
                encoding=encoding,
            )
    except ImportFileError as exc:
        st.error(f"This file cannot be imported: {exc}")
        return None
    finally:
        bar.empty()


def _why_not_commit(report: ImportReport) -> str:
    if report.rejected and report.on_error == "abort":
        return (
            "Nothing will be imported while rows have problems: fix them in the file, "
            "or choose to skip rows with problems."
        )
    if report.inserted + report.updated == 0:
        return "There is nothing new to import in this file."
    return ""


def _report(report: ImportReport) -> None:
    st.markdown(f"**{'Preview' if report.dry_run else 'Result'}: {report.total_rows:,} rows read**")
    columns = st.columns(4)
    for column, (label, count) in zip(
        columns,
        [
            ("New", report.inserted),
            ("Updated", report.updated),
            ("Unchanged", report.unchanged),
            ("Rejected", len(report.rejected)),
        ],
    ):
        column.metric(label, f"{count:,}")
    if report.contacts_inserted or report.contacts_updated:
        st.caption(
            f"Main contacts from the partner rows: {report.contacts_inserted:,} new, "
            f"{report.contacts_updated:,} updated."
        )
    if report.not_imported:
        st.info(
            "Not imported (these columns go to no field): " + ", ".join(report.not_imported),
            icon=":material/visibility_off:",
        )
    if report.rejected:
        st.markdown("**Rows with problems**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Line": row.line,
                        "Problems": "; ".join(row.reasons),
                        "Row": ", ".join(f"{k}={v}" for k, v in row.values.items() if v),
                    }
                    for row in report.rejected
                ]
            ),
            hide_index=True,
            column_config={
                "Line": st.column_config.NumberColumn(format="%d", width="small"),
                "Problems": st.column_config.TextColumn(width="large"),
            },
        )
        if report.cells_not_kept:
            st.caption(
                f"The cells of the last {report.cells_not_kept:,} rows with problems are not "
                "shown; their lines and problems are."
            )


def _last_result() -> None:
    result: ImportReport | None = st.session_state.pop(_DONE, None)
    if result is None:
        return
    if result.written:
        st.success(
            f"Imported {result.entity}: {result.inserted:,} new, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged, {len(result.rejected):,} skipped.",
            icon=":material/check_circle:",
        )
    else:
        st.error("Nothing was imported: some rows had problems.")
    _report(result)


def _exports(ctx: AppContext) -> None:
    st.subheader("Export to CSV", anchor=False)
    st.caption("Each file can be edited in a spreadsheet and imported again.")
    for column, entity in zip(st.columns(len(ENTITIES)), ENTITIES):
        column.download_button(
            entity.capitalize(),
            data=_exporter(ctx, entity),
            file_name=f"{entity}-{clock.now():%Y-%m-%d}.csv",
            mime="text/csv",
            icon=":material/download:",
            key=f"export_{entity}",
            on_click="ignore",
        )


def _exporter(ctx: AppContext, entity: str) -> Callable[[], str]:
    """Built only when the button is clicked, so a big table costs nothing until then."""

    def build() -> str:
        out = io.StringIO()
        with Session(ctx.engine) as session:
            export_csv(session, entity, out)
        return out.getvalue()

    return build


if __name__ == "__main__":
    render(context())
