"""Import and export: bring a spreadsheet's rows in, take any table out; how to back the database up."""

import datetime as dt

import streamlit as st

import crm_core
from crm_core import importer
from pages.common import _, entry_closed, fmt_number, n_, read, setup
from pages.common.charts import portfolio_filters
from pages.common.forms import error_text, session_author
from pages.common.importing import (choose_sheet, column_mapping, export_button, import_outcome, run_import,
                                    show_problems)

ctx = setup("Import and export", "📥")
author = session_author()
KINDS = {"customers": _("Customers"), "responses": _("Responses"), "opinions": _("Opinions")}
state = st.session_state
import_tab, export_tab, backup_tab = st.tabs([_("Import"), _("Export"), _("Backup")])

with export_tab:
    what = st.segmented_control(_("Table"), list(KINDS), default="responses", required=True, format_func=KINDS.get,
                                key="export_kind")
    filters = portfolio_filters(ctx)
    rows = read(ctx, crm_core.export_count, what, ctx.as_of, filters=filters or None)
    st.caption(n_("{n} row, with the filters and snapshot day above; the file imports back as is.",
                  "{n} rows, with the filters and snapshot day above; the file imports back as is.", rows))
    export_button(ctx.path, what, ctx.as_of, filters or None, f"{what}-{ctx.today.isoformat()}")

with backup_tab:
    # No download here on purpose: Streamlit serves every download button's file at a /media URL that
    # answers any request, with or without this session (see crm_core.backup.command_lines).
    st.caption(_("A backup is one consistent copy of the whole database, including every account's password "
                 "hash, so it is taken on the server, never through the browser. Run, on the server:"))
    for command in crm_core.backup.command_lines(ctx.path, dt.date.today()):
        st.code(command, language="sh")
    st.caption(_("The backup is safe while others keep working. To restore one, stop the app first (see the "
                 "README)."))

# Drawn last: without a readable file the import stops the page here.
with import_tab:
    if entry_closed(ctx):
        st.stop()
    import_outcome()
    kind = st.segmented_control(_("The file holds"), list(KINDS), default="responses", required=True,
                                format_func=KINDS.get, key="import_kind")
    upload = st.file_uploader(_("CSV file (comma, semicolon or tab separated; UTF-8 or Latin-1) or a workbook "
                                "(.xlsx, .ods)"), type=["csv", "tsv", "txt", *importer.WORKBOOK_TYPES],
                              key=f"import_file:{state.get('upload_round', 0)}")
    if upload is None:
        st.stop()
    try:
        sheet = choose_sheet(upload)
        raw = crm_core.read_table(upload.getvalue(), upload.name, sheet=sheet)
    except crm_core.TableError as error:
        st.error(str(error), icon="⚠️")
        st.stop()
    if raw.sheet is None:
        st.caption(n_("{n} row read ({encoding}, columns separated by {delimiter}). The first rows:",
                      "{n} rows read ({encoding}, columns separated by {delimiter}). The first rows:", len(raw.rows),
                      encoding=raw.encoding, delimiter=repr(raw.delimiter)))
    else:
        st.caption(n_("{n} row read from the sheet {sheet}. The first rows:",
                      "{n} rows read from the sheet {sheet}. The first rows:", len(raw.rows), sheet=raw.sheet))
    st.dataframe(raw.frame().head(10), width="stretch")
    st.subheader(_("Which column fills which field"), anchor=False)
    # Keyed by the file and its sheet: another sheet has other columns, so its own mapping.
    mapping = column_mapping(ctx.path, raw, kind, f"{upload.file_id}:{raw.sheet}")
    try:
        with crm_core.connect(ctx.path) as db:
            plan = importer.preview(db, raw, kind, mapping)
    except crm_core.ValidationError as error:
        st.error(error_text(error), icon="⚠️")
        st.stop()
    counts = plan.counts()
    labels = {"create": _("New"), "update": _("Updated"), "skip": _("Already there"), "error": _("Failing")}
    for column, (action, label) in zip(st.columns(4), labels.items()):
        column.metric(label, fmt_number(counts[action], 0), border=True)
    problems = plan.problems(say=error_text)
    if len(problems):
        st.warning(n_("{n} row cannot be imported, for the reason given:",
                      "{n} rows cannot be imported, for the reason given:", len(problems)), icon="⚠️")
        show_problems(problems)
    valid = counts["create"] + counts["update"]
    left, right = st.columns(2)
    left.button(n_("Import the {n} valid row", "Import the {n} valid rows", valid), type="primary",
                disabled=valid == 0, on_click=run_import, args=(ctx.path, plan, author), key="import_valid")
    right.button(_("Import nothing"), on_click=run_import, args=(ctx.path, None, author), key="import_nothing")
