"""Import customers, responses and opinions from CSV files and workbooks (.xlsx, .ods);
export any table as CSV.

An import runs in steps, so a page can show what will happen before anything
is written and let the user fix the column mapping in between:

    table = read_table(data, "responses.csv")                 # bytes -> RawTable of text cells
    table = read_table(data, "crm.xlsx", sheet="Companies")   # or one sheet of a workbook
    mapping = mapping_for(db, table.columns, "responses")     # field -> column (last used, else guessed)
    plan = preview(db, table, "responses", mapping)           # per row: cleaned values or the reason
    result = apply(db, plan, author="ana", only_valid=True)   # one transaction; remembers the mapping

Rows are written through ``crm_core.writes`` (the write funnel: validation and
audit trail), all in one transaction.

One module per job: ``reading`` (decoding, delimiter, columns), ``sheets``
(workbooks), ``mapping``
(columns to fields), ``cells`` (cell and date parsing), ``planning`` (the
preview), ``applying`` (the write), ``export``.
"""

from .applying import ImportResult, apply
from .cells import MONTHS, folded, parse_day
from .export import export_count, export_csv, export_table
from .mapping import FIELDS, KINDS, REQUIRED, SYNONYMS, mapping_for, suggest_mapping
from .planning import ImportPreview, RowPlan, preview
from .reading import DELIMITERS, MAX_BYTES, MAX_ROWS, RawTable, TableError, read_table, sheet_names
from .sheets import is_workbook

# The file types a workbook may have (extensions without the dot), for upload boxes.
WORKBOOK_TYPES = ("xlsx", "xlsm", "xls", "ods")

__all__ = ["DELIMITERS", "FIELDS", "KINDS", "MAX_BYTES", "MAX_ROWS", "MONTHS", "REQUIRED", "SYNONYMS", "WORKBOOK_TYPES",
           "ImportPreview",
           "ImportResult", "RawTable", "RowPlan", "TableError", "apply", "export_count", "export_csv", "export_table",
           "folded", "is_workbook", "mapping_for", "parse_day", "preview", "read_table", "sheet_names",
           "suggest_mapping"]
