"""The steps of the import page: the column mapping, the write and its outcome.

``run_import`` is a button callback: it runs before the page is drawn again,
stores the outcome in the session and empties the uploader (its key carries
``upload_round``), so the page is ready for the next file.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

import crm_core
from crm_core import importer

from . import DOWNLOAD_ONLY, _
from .forms import error_text


def field_labels() -> dict[str, str]:
    """Every importable field's label in the session's language."""
    return {"name": _("Name"), "customer": _("Customer name"), "external_id": _("External id"),
            "sector": _("Sector"), "region": _("Region"), "account_manager": _("Account manager"),
            "acquisition_cost": _("Acquisition cost"), "created_on": _("Customer since"), "notes": _("Notes"),
            "stage": _("Stage"), "responded_on": _("Date"), "opinion_on": _("Date"), "mode": _("Mode"),
            "items": _("Checklist items"), "quality": _("Quality"), "completeness": _("Completeness"),
            "summary": _("Summary"), "score": _("Opinion"), "source": _("Source"), "note": _("Note")}


def choose_sheet(upload) -> str | None:
    """For a workbook with several sheets, a box to choose the sheet (the first by
    default); returns its name, or None for a CSV file or a one-sheet workbook.
    Raises ``TableError`` for a file that looks like a workbook but is not one."""
    data = upload.getvalue()
    if not importer.is_workbook(data, upload.name):
        return None
    names = importer.sheet_names(data, upload.name)
    if len(names) < 2:
        return None
    return st.selectbox(_("Sheet"), names, key=f"import_sheet:{upload.file_id}")


def column_mapping(path: str, raw: importer.RawTable, kind: str, file_id: str) -> dict[str, str | None]:
    """One select box per field of ``kind``, pre-filled with the mapping last used for
    files with these headers (else the guess); required fields are starred.
    Returns ``{field: column or None}``."""
    with crm_core.connect(path) as db:
        offered = importer.mapping_for(db, raw.columns, kind)
    labels, choices, mapping = field_labels(), [None, *raw.columns], {}
    columns = st.columns(3)
    for number, name in enumerate(importer.FIELDS[kind]):
        # Keyed by the upload: a new file is offered its own remembered mapping.
        mapping[name] = columns[number % 3].selectbox(
            labels[name] + (" *" if name in importer.REQUIRED[kind] else ""), choices,
            index=choices.index(offered.get(name)), key=f"map:{file_id}:{kind}:{name}",
            format_func=lambda column: "—" if column is None else column)
    return mapping


def run_import(path: str, plan: importer.ImportPreview | None, author: str | None) -> None:
    """Write the valid rows of ``plan`` as ``author`` (``plan`` None: import nothing)."""
    state = st.session_state
    state.pop("import:error", None)
    state["upload_round"] = state.get("upload_round", 0) + 1
    if plan is None:
        state["import:result"] = None
        return
    try:
        with crm_core.connect(path) as db:
            state["import:result"] = importer.apply(db, plan, author=author)
    # ValidationError: an author text no name can be (open mode), refused before any row.
    except (crm_core.AccessDenied, crm_core.StorageError, crm_core.ValidationError) as error:
        state["import:error"] = error_text(error)


def export_file(path: str, kind: str, as_of, filters: dict | None) -> bytes:
    """The CSV file of ``crm_core.export_table(kind, as_of, filters)`` on the database at ``path``."""
    with crm_core.connect(path) as db:
        return crm_core.export_csv(crm_core.export_table(db, kind, as_of, filters))


def export_button(path: str, kind: str, as_of, filters: dict | None, name: str) -> None:
    """A button that downloads ``export_file`` as ``<name>.csv``. The file is read and
    written only when it is clicked: a million responses take seconds, too long for
    every run of the page."""
    st.download_button(_("Download as CSV"), partial(export_file, path, kind, as_of, filters),
                       file_name=f"{name}.csv", mime="text/csv", icon=":material/download:", key=f"download:{name}",
                       on_click=DOWNLOAD_ONLY)


def import_outcome() -> None:
    """Show (once) what the last import did, or why it was refused."""
    state = st.session_state
    if "import:error" in state:
        st.error(state.pop("import:error"), icon="⚠️")
    if "import:result" not in state:
        return
    result = state.pop("import:result")
    if result is None:
        st.info(_("Nothing was imported."))
        return
    if not result.written:   # refused whole (every row failed): say so, never a green "Imported"
        st.warning(_("Nothing was imported."), icon="⚠️")
        show_problems(result.problems)
        return
    st.success(_("Imported: {created} new, {updated} updated, {skipped} already there, {failed} failed.",
                 created=result.created, updated=result.updated, skipped=result.skipped, failed=result.failed),
               icon="✅")
    if result.created or result.updated:
        st.caption(_("The import is one change: “Undo my last change” on the History tab of any "
                     "customer's journey takes all of it back."))
    if len(result.problems):
        show_problems(result.problems)


def show_problems(problems) -> None:
    """The failing rows of an import (``row, field, column, message``), headed in the user's language."""
    st.dataframe(problems.rename(columns={"row": _("Row"), "field": _("Field"), "column": _("Column"),
                                          "message": _("Reason")}), hide_index=True, width="stretch")
