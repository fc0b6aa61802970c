"""Importing customers, responses and opinions from CSV, and exporting tables as CSV.

A file is read (encoding and delimiter detected), its columns are mapped to
fields (guessed from the header, in English, Spanish or French), previewed
row by row without writing, then applied in one transaction through the
same writes as the forms: validated, audited, no duplicates on re-import.
"""

import csv
import datetime as dt
import io
import random
import time
from pathlib import Path

import pandas as pd
import pytest
from fixtures import TODAY, Recording, dump, table_rows, workbook_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

import crm_core
from crm_core import importer
from crm_core.importer import parse_day, preview, read_table, suggest_mapping

DATA = Path(__file__).resolve().parent / "data"
RESPONSE_HEADER = "customer,stage,responded_on,mode,items,quality,completeness,summary\n"


def csv_bytes(rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


FORMATS = ("csv", "xlsx", "ods")


def pytest_generate_tests(metafunc):
    """Every test that imports a file runs once per format: the CSV rows it writes are
    also given as an .xlsx and an .ods workbook, which must import the same way."""
    if {"plan_file", "import_file"} & set(metafunc.function.__code__.co_names):
        metafunc.parametrize("file_format", FORMATS, indirect=True)


@pytest.fixture(autouse=True)
def file_format(request):
    global FILE_FORMAT
    FILE_FORMAT = getattr(request, "param", "csv")
    yield FILE_FORMAT
    FILE_FORMAT = "csv"


FILE_FORMAT = "csv"


def as_file_format(data: bytes, name: str) -> tuple[bytes, str]:
    """The CSV ``data`` as a file of the test's format: the same cells, row for row (blank
    and over-long rows too), in the first sheet."""
    if FILE_FORMAT == "csv":
        return data, name
    table = read_table(data, name)
    text = data.decode(table.encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter))
    return workbook_bytes(records, FILE_FORMAT), f"{name}.{FILE_FORMAT}"


def plan_file(db, data: bytes, kind: str, name: str = "file.csv") -> importer.ImportPreview:
    table = read_table(*as_file_format(data, name))
    return preview(db, table, kind, suggest_mapping(table.columns, kind), today=TODAY)


def import_file(db, data: bytes, kind: str, only_valid: bool = True, author: str = "ana"):
    return importer.apply(db, plan_file(db, data, kind), author=author, only_valid=only_valid)


def counts(db) -> dict:
    return {table: db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("customers", "responses", "response_items", "opinions", "audit")}


# --- reading files ---------------------------------------------------------------------

def test_a_windows_latin_file_with_semicolons_and_spanish_headers_imports(story_db):
    table = read_table((DATA / "respuestas_cp1252.csv").read_bytes(), "respuestas_cp1252.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    mapping = suggest_mapping(table.columns, "responses")
    assert mapping == {"customer": "Cliente", "stage": "Etapa", "responded_on": "Fecha", "mode": "Modo",
                       "items": "Elementos", "quality": "Calidad", "completeness": "Completitud",
                       "summary": "Resumen"}
    with crm_core.connect(story_db) as db:
        plan = preview(db, table, "responses", mapping, today=TODAY)
        assert [p.action for p in plan.rows] == ["create", "create", "create", "error", "error"]
        assert plan.problems().to_dict("records") == [
            {"row": 5, "field": "responded_on", "column": "Fecha",
             "message": "'31/02/2025' is not a real date: February 2025 has 28 days (read as DD/MM/YYYY)"},
            {"row": 6, "field": "customer", "column": "Cliente", "message": "no customer 'Desconocida S.A.'"}]
        result = importer.apply(db, plan, author="ana")
        assert (result.created, result.failed, result.written) == (3, 2, True)
        borealis = crm_core.journey(db, 2).responses.iloc[-1]
        assert borealis["summary"] == "Reunión técnica; opciones comparadas"
        assert (borealis["responded_on"], borealis["mode"]) == ("2025-04-02", "face_to_face")
        assert list(borealis["items"]) == ["pre.data", "pre.references"]
        cobalt = crm_core.journey(db, 3).responses.iloc[-1]
        assert cobalt["summary"] == "Envío de la ficha técnica — versión año 2025"


def test_a_utf8_file_with_bom_tabs_and_french_headers_imports_opinions(story_db):
    table = read_table((DATA / "avis_utf8_bom.tsv").read_bytes(), "avis_utf8_bom.tsv")
    assert (table.encoding, table.delimiter, table.columns[0]) == ("utf-8-sig", "\t", "Client")
    assert suggest_mapping(table.columns, "opinions") == {
        "customer": "Client", "stage": "Étape", "opinion_on": "Date", "score": "Avis", "source": "Source",
        "note": "Commentaire"}
    with crm_core.connect(story_db) as db:
        result = importer.apply(db, preview(db, table, "opinions", suggest_mapping(table.columns, "opinions"),
                                            today=TODAY), author="marc")
        assert (result.created, result.skipped, result.failed) == (2, 1, 1)
        assert result.problems.iloc[0]["message"] == "3 is out of range (-2 to 2)"
        acme = crm_core.journey(db, 1).opinions.iloc[-1]
        assert (acme["opinion_on"], acme["score"]) == ("2025-11-23", 1)
        assert acme["note"] == "Réunion de suivi « très positive » 👍"
        assert crm_core.journey(db, 2).opinions.iloc[-1]["score"] == -2   # typographic minus


def test_latin1_accents_are_read_right():
    data = "Nom;Secteur;Région\nÉnergie Côte-d'Ivoire;Énergie;Afrique de l'Ouest\n".encode("latin-1")
    table = read_table(data, "clients.csv")
    assert table.encoding == "cp1252"
    assert table.rows == [["Énergie Côte-d'Ivoire", "Énergie", "Afrique de l'Ouest"]]
    assert suggest_mapping(table.columns, "customers") == {"name": "Nom", "sector": "Secteur", "region": "Région"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_the_delimiter_is_detected_even_when_cells_contain_the_others(delimiter):
    rows = [["name", "notes", "acquisition_cost"],
            ["Delta Hydro", "pumps, valves; turbines", "12000"],
            ["Echo Metro", "signalling", "8000.5"]]
    table = read_table(csv_bytes(rows, delimiter), "customers.csv")
    assert table.delimiter == delimiter
    assert table.columns == rows[0] and table.rows == rows[1:]


def test_a_single_column_file_is_read():
    table = read_table(b"name\nDelta Hydro\nEcho Metro\n", "names.csv")
    assert table.columns == ["name"] and table.rows == [["Delta Hydro"], ["Echo Metro"]]


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    table = read_table(b"name,sector\n\nDelta Hydro,Energy\n,\nEcho Metro\n", "customers.csv")
    assert table.rows == [["Delta Hydro", "Energy"], ["Echo Metro", ""]]
    assert table.row_numbers == [3, 5]


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "is empty"),
    (b"\r\n \r\n", "blank.csv", "is empty"),
    (b"customer;stage;date\r\n", "header.csv", "header row but no data rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv", "binary file"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "book.csv", "cannot be read as a workbook"),
    (bytes(range(1, 32)) * 40, "noise.csv", "binary file"),
    (b"a,b\n1,2\n", "book.xlsx", "cannot be read as a workbook"),
    (b"\xef\xbb\xbfname\n\xff\xfe broken\n", "bom.csv", "is not valid utf-8-sig"),
], ids=["empty", "blank-lines", "header-only", "png", "xlsx-renamed", "control-bytes", "workbook", "bad-utf8"])
def test_files_that_are_not_tables_are_refused_with_a_reason(data, name, message):
    with pytest.raises(importer.TableError, match=message):
        read_table(data, name)


def test_too_many_rows_are_refused():
    data = b"name\n" + b"".join(f"Customer {i}\n".encode() for i in range(11))
    with pytest.raises(importer.TableError, match="more than 10"):
        read_table(data, "big.csv", max_rows=10)


def test_a_row_with_more_cells_than_the_header_fails_alone(story_db):
    data = (RESPONSE_HEADER +
            "Acme Turbines,operational,2025-06-01,phone,ops.status,3,3,Status call\n"
            "Acme Turbines,operational,2025-06-02,phone,ops.status,3,3,Status, call\n").encode()
    with crm_core.connect(story_db) as db:
        plan = plan_file(db, data, "responses")
    assert [p.action for p in plan.rows] == ["create", "error"]
    assert plan.rows[1].message == "has 9 cells but the header has 8"


# --- mapping columns -------------------------------------------------------------------

# Each CRM's customer export (the columns a manager would otherwise map by hand), and the
# response columns in each language: every one maps without a manual choice.
EXPORT_SHAPES = {
    "hubspot": ("customers", ["Record ID", "Company name", "Company owner", "Create Date", "Phone Number",
                              "Country/Region", "Industry", "Last Activity Date"]),
    "salesforce": ("customers", ["Account ID", "Account Name", "Account Owner", "Type", "Industry",
                                 "Billing Country", "Created Date"]),
    "zoho": ("customers", ["Record Id", "Account Name", "Account Owner", "Industry", "Billing Country",
                           "Created Time", "Description"]),
    "pipedrive": ("customers", ["Organization - ID", "Organization - Name", "Organization - Owner",
                                "Organization - Industry", "Organization - Address country",
                                "Organization - Organization created"]),
    "odoo": ("customers", ["ID", "Display Name", "Salesperson", "Country", "Industry", "Created on"]),
    "dynamics": ("customers", ["(Do Not Modify) Account", "Account Name", "Account Number", "Owner",
                               "Industry", "Address 1: Country/Region", "Created On"]),
    "english": ("responses", ["Customer", "Stage", "Date", "Channel", "Checklist", "Quality",
                              "Completeness", "Summary"]),
    "spanish": ("responses", ["Cliente", "Etapa", "Fecha", "Modo", "Elementos", "Calidad", "Completitud",
                              "Resumen"]),
    "french": ("responses", ["Client", "Étape", "Date", "Moyen", "Éléments", "Qualité", "Complétude",
                             "Résumé"]),
    "indonesian": ("responses", ["Pelanggan", "Tahap", "Tanggal", "Saluran", "Butir", "Kualitas",
                                 "Kelengkapan", "Ringkasan"]),
}
CUSTOMER_FIELDS = {"name", "external_id", "account_manager", "created_on", "region", "sector"}


@pytest.mark.parametrize("shape", EXPORT_SHAPES)
def test_each_crm_export_and_each_language_maps_without_a_manual_choice(shape):
    kind, columns = EXPORT_SHAPES[shape]
    mapping = suggest_mapping(columns, kind)
    wanted = CUSTOMER_FIELDS if kind == "customers" else {"customer", *importer.REQUIRED[kind], "items", "mode"}
    assert wanted <= set(mapping), f"{shape}: not mapped: {wanted - set(mapping)}"
    assert len(set(mapping.values())) == len(mapping)


def test_a_hubspot_workbook_with_typed_cells_imports_on_the_sheet_chosen(story_db):
    export = [EXPORT_SHAPES["hubspot"][1],
              [9001, "Kestrel Grid", "Ana Ruiz", dt.datetime(2025, 3, 4, 0, 0), "+34 900", "Spain", "Energy",
               dt.datetime(2025, 9, 1, 14, 30)],
              [9002, "Lumen Rail", "Ben Ode", dt.date(2025, 4, 5), None, "France", "Transport", None]]
    data = workbook_bytes([["Report"], ["made by hand"]], "xlsx", {"Companies": export})
    with pytest.raises(importer.TableError, match="no sheet 'Deals'; its sheets: Export, Companies"):
        read_table(data, "hubspot.xlsx", sheet="Deals")
    table = read_table(data, "hubspot.xlsx", sheet="Companies")
    assert (table.sheet, table.rows[0][:4]) == ("Companies", ["9001", "Kestrel Grid", "Ana Ruiz", "2025-03-04"])
    with crm_core.connect(story_db) as db:
        plan = preview(db, table, "customers", suggest_mapping(table.columns, "customers"), today=TODAY)
        assert importer.apply(db, plan, author="ana").created == 2
        rows = table_rows(db, "customers").set_index("name")
    assert rows.loc["Kestrel Grid", ["external_id", "account_manager", "created_on", "region", "sector"]].tolist() == [
        "9001", "Ana Ruiz", "2025-03-04", "Spain", "Energy"]
    assert rows.loc["Lumen Rail", "created_on"] == "2025-04-05"


def test_a_workbook_that_is_damaged_is_refused_with_a_reason():
    data = workbook_bytes([["name"], ["Kestrel Grid"]], "xlsx")
    with pytest.raises(importer.TableError, match="cannot be read as a workbook"):
        read_table(data[: len(data) // 2], "cut.xlsx")



def test_headers_are_matched_without_case_accents_or_punctuation():
    columns = ["N° Client", "CLIENTE", "Fecha", "Canal", "Qualité", "Complétude", "Résumé", "Étape", "Other"]
    assert suggest_mapping(columns, "responses") == {
        "customer": "CLIENTE", "stage": "Étape", "responded_on": "Fecha", "mode": "Canal", "quality": "Qualité",
        "completeness": "Complétude", "summary": "Résumé"}


def test_a_field_named_exactly_wins_over_a_synonym():
    assert suggest_mapping(["date", "responded_on", "customer"], "responses") == {
        "customer": "customer", "responded_on": "responded_on"}


def test_each_column_fills_one_field_only():
    mapping = suggest_mapping(["Fecha"], "customers")
    assert mapping == {"created_on": "Fecha"}


def test_a_mapping_without_a_required_field_or_with_an_unknown_column_is_refused(story_db):
    table = read_table(b"customer,date\nAcme Turbines,2025-06-01\n", "x.csv")
    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError, match="choose a column for stage, mode") as missing:
            preview(db, table, "responses", suggest_mapping(table.columns, "responses"), today=TODAY)
        assert missing.value.field == "mapping"
        with pytest.raises(crm_core.ValidationError, match="no column 'Quality'"):
            preview(db, table, "opinions", {"customer": "customer", "stage": "Quality"}, today=TODAY)


# --- dates -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2026-11-23", "2026/11/23", "23/11/2026", "23.11.2026", "23-11-2026", "23/11/26", "23 nov 2026",
    "23 Nov. 2026", "23-nov-2026", "Nov 23, 2026", "November 23rd, 2026", "23 de noviembre de 2026",
    "23 novembre 2026", "23 November 2026", "2026-11-23 14:05", "2026-11-23T14:05:00Z", "23/11/2026 09:30",
    " 23/11/2026 ",
])
def test_usual_date_spellings_are_read(text):
    assert parse_day("responded_on", text) == dt.date(2026, 11, 23)


def test_short_dates_without_leading_zeros_are_read_day_first():
    assert parse_day("d", "5/3/26") == dt.date(2026, 3, 5)
    assert parse_day("d", "1 févr. 2026") == dt.date(2026, 2, 1)
    assert parse_day("d", "7 ago 2025") == dt.date(2025, 8, 7)


@pytest.mark.parametrize("text, message", [
    ("31/02/2026", "'31/02/2026' is not a real date: February 2026 has 28 days (read as DD/MM/YYYY)"),
    ("29/02/2025", "February 2025 has 28 days"),
    ("2026-02-30", "February 2026 has 28 days (read as YYYY-MM-DD)"),
    ("31 abril 2026", "April 2026 has 30 days"),
    ("11/23/2026", "there is no month 23 (read as DD/MM/YYYY)"),
    ("23 jui 2026", "'jui' is not a month name we know"),
    ("next tuesday", "is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
    ("2026-11", "is not a date"),
    ("23/11/226", "is not a date"),
])
def test_impossible_or_unreadable_dates_fail_with_a_clear_message(text, message):
    with pytest.raises(crm_core.ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        parse_day("responded_on", text)
    assert error.value.field == "responded_on"


def test_february_29_of_a_leap_year_is_real():
    assert parse_day("d", "29/02/2028") == dt.date(2028, 2, 29)


ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]
SPELLINGS = [
    lambda d: d.isoformat(),
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: d.strftime("%d.%m.%Y"),
    lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
    lambda d: f"{d.day} {ENGLISH_MONTHS[d.month - 1][:3].lower()} {d.year}",
    lambda d: f"{ENGLISH_MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.isoformat()}T{d.day % 24:02d}:30:00",
]


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(SPELLINGS))
def test_every_spelling_of_any_date_reads_back_as_that_date(day, spell):
    assert parse_day("d", spell(day)) == day


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(29, 35))
def test_a_day_past_the_end_of_its_month_is_always_refused_never_shifted(year, month, day):
    text = f"{day:02d}/{month:02d}/{year}"
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(crm_core.ValidationError, match="is not a real date"):
            parse_day("d", text)
    else:
        assert parse_day("d", text) == dt.date(year, month, day)


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_a_validation_error_nothing_else(text):
    try:
        assert isinstance(parse_day("d", text), dt.date)
    except crm_core.ValidationError as error:
        assert error.field == "d" and error.message


# --- values ----------------------------------------------------------------------------

@pytest.mark.parametrize("quality, completeness, field, message", [
    ("0", "3", "quality", "0 is out of range (1 to 5)"),
    ("6", "3", "quality", "6 is out of range (1 to 5)"),
    ("3", "0", "completeness", "0 is out of range (1 to 5)"),
    ("3", "6", "completeness", "6 is out of range (1 to 5)"),
    ("3.5", "3", "quality", "3.5 is out of range (1 to 5)"),
    ("good", "3", "quality", "'good' is not a number"),
    ("", "3", "quality", "pick a value from 1 to 5"),
])
def test_ratings_outside_1_to_5_fail_with_the_validation_message(story_db, quality, completeness, field, message):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "2025-06-01", "phone", "ops.status", quality, completeness,
                       "Status call"]])
    with crm_core.connect(story_db) as db:
        (row,) = plan_file(db, data, "responses").rows
    assert (row.action, row.field, row.message) == ("error", field, message)


def test_ratings_1_and_5_and_whole_decimals_are_accepted(story_db):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "2025-06-01", "phone", "", "1", "5.0", "Status call"]])
    with crm_core.connect(story_db) as db:
        (row,) = plan_file(db, data, "responses").rows
    assert (row.values["quality"], row.values["completeness"], row.values["items"]) == (1, 5, [])


@pytest.mark.parametrize("stage, mode", [("operational", "face_to_face"), ("Operational", "Face to face"),
                                         ("OPERATIONAL", "face-to-face"), (" operational ", "Face To Face")])
def test_stage_and_mode_accept_keys_or_english_labels(story_db, stage, mode):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", stage, "2025-06-01", mode, "ops.status", "3", "3", "Visit"]])
    with crm_core.connect(story_db) as db:
        (row,) = plan_file(db, data, "responses").rows
    assert (row.values["stage"], row.values["mode"]) == ("operational", "face_to_face")


def test_an_unknown_mode_or_an_item_of_another_stage_fails_with_the_validation_message(story_db):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "2025-06-01", "pigeon", "ops.status", "3", "3", "Coo"],
                      ["Acme Turbines", "operational", "2025-06-01", "phone", "pre.data", "3", "3", "Data"],
                      ["Acme Turbines", "post_deal", "2025-06-01", "phone", "post.spares", "3", "3", "Spares"]])
    with crm_core.connect(story_db) as db:
        rows = plan_file(db, data, "responses").rows
    assert [(r.field, r.message) for r in rows] == [
        ("mode", "'pigeon' is not one of face_to_face, phone, email_fax"),
        ("items", "pre.data belongs to pre_deal, not operational"),
        ("stage", "the customer had not reached post_deal on that date (was in operational)")]


@pytest.mark.parametrize("items", ["ops.progress;ops.status", "ops.progress, ops.status",
                                   "ops.progress|ops.status", " ops.status ;ops.progress;ops.status;"])
def test_items_are_separated_by_semicolon_comma_or_bar(story_db, items):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "2025-06-01", "phone", items, "3", "3", "Status"]])
    with crm_core.connect(story_db) as db:
        (row,) = plan_file(db, data, "responses").rows
    assert sorted(row.values["items"]) == ["ops.progress", "ops.status"]


def test_future_dates_and_dates_before_the_customer_existed_are_refused(story_db):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "25/11/2026", "phone", "", "3", "3", "Tomorrow"],
                      ["Cobalt Mining", "pre_deal", "01/01/2025", "phone", "", "3", "3", "Too early"]])
    with crm_core.connect(story_db) as db:
        rows = plan_file(db, data, "responses").rows
    assert [r.message for r in rows] == ["2026-11-25 is in the future",
                                         "2025-01-01 is before the customer existed (2025-06-01)"]


def test_responses_name_their_customer_by_name_in_any_case_or_by_external_id(demo_db):
    with crm_core.connect(demo_db) as db:
        customers = importer.export_table(db, "customers").set_index("external_id")
        first, second = customers.loc["ERP-10001"], customers.loc["ERP-10002"]
        stage_of = crm_core.portfolio(db).set_index("name")["stage"]
        data = csv_bytes([["external_id", "customer", "stage", "date", "mode", "quality", "completeness",
                           "summary"],
                          ["ERP-10001", "", stage_of[first["name"]], "2026-11-20", "phone", "3", "3", "By id"],
                          ["", first["name"].upper(), stage_of[first["name"]], "2026-11-20", "phone", "3", "3",
                           "By name"],
                          ["ERP-10002", first["name"], stage_of[second["name"]], "2026-11-20", "phone", "3", "3",
                           "Id wins"],
                          ["ERP-99999", "", "pre_deal", "2026-11-20", "phone", "3", "3", "Nobody"]])
        rows = plan_file(db, data, "responses").rows
    assert [r.values.get("customer_id") for r in rows[:3]] == [first["id"], first["id"], second["id"]]
    assert (rows[3].field, rows[3].message) == ("external_id", "no customer 'ERP-99999'")


# --- preview and apply ------------------------------------------------------------------

def test_a_mapping_chosen_by_hand_is_offered_again_for_the_same_headers_in_any_order(story_db):
    first = "Kunde;Phase;Tag;Weg;Note Q;Note V;Text\nAcme Turbines;operational;01.06.2025;phone;4;3;Call\n"
    again = "Text;Note V;Note Q;Weg;Tag;Phase;Kunde\nVisit;3;3;face_to_face;02.06.2025;operational;Acme Turbines\n"
    chosen = {"customer": "Kunde", "stage": "Phase", "responded_on": "Tag", "mode": "Weg", "quality": "Note Q",
              "completeness": "Note V", "summary": "Text"}
    with crm_core.connect(story_db) as db:
        table = read_table(first.encode(), "first.csv")
        assert importer.mapping_for(db, table.columns, "responses") == suggest_mapping(table.columns, "responses")
        importer.apply(db, preview(db, table, "responses", chosen, today=TODAY), author="ana")
        later = read_table(again.encode(), "again.csv")
        assert importer.mapping_for(db, later.columns, "responses") == chosen
        # Another kind, or another header set, is not affected.
        assert importer.mapping_for(db, later.columns, "opinions") == suggest_mapping(later.columns, "opinions")
        assert importer.mapping_for(db, later.columns[:-1], "responses") == suggest_mapping(later.columns[:-1],
                                                                                            "responses")


def test_an_import_refused_as_a_whole_remembers_no_mapping(story_db):
    data = (DATA / "respuestas_cp1252.csv").read_bytes()
    with crm_core.connect(story_db) as db:
        table = read_table(data, "respuestas.csv")
        mapping = {**suggest_mapping(table.columns, "responses"), "summary": "Cliente"}
        result = importer.apply(db, preview(db, table, "responses", mapping, today=TODAY), only_valid=False)
        assert result.written is False
        assert importer.mapping_for(db, table.columns, "responses") == suggest_mapping(table.columns, "responses")


def database_state(path) -> tuple[str, int, bytes]:
    """Everything stored (as SQL), the change counter, and the bytes of the file and its log."""
    with crm_core.connect(path) as db:
        stored = dump(db)
    side = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
    return stored, crm_core.change_count(path), b"".join(f.read_bytes() for f in side if f.exists())


def test_an_import_whose_every_row_fails_leaves_the_database_exactly_as_it_was(story_db):
    every_row_bad = csv_bytes([RESPONSE_HEADER.strip().split(","),
                               ["Nobody Ltd", "pre_deal", "2025-04-01", "phone", "", "3", "3", "Who?"],
                               ["Acme Turbines", "operational", "2025-06-02", "email_fax", "", "9", "3", "Bad"]])
    before = database_state(story_db)
    with crm_core.connect(story_db) as db:
        plan = plan_file(db, every_row_bad, "responses")
        assert plan.counts()["error"] == 2
        result = importer.apply(db, plan, author="ana", only_valid=True)
    assert result.written is False and result.failed == 2
    assert database_state(story_db) == before     # not even the column mapping was remembered


def test_over_long_fields_fail_with_their_length_and_nothing_partial_is_written(story_db):
    customers = csv_bytes([["name", "notes"], ["N" * 201, ""], ["Fine Ltd", "x" * 5001], ["Short Ltd", "ok"]])
    responses = csv_bytes([RESPONSE_HEADER.strip().split(","),
                           ["Acme Turbines", "operational", "2025-06-01", "phone", "", "3", "3", "s" * 5001]])
    with crm_core.connect(story_db) as db:
        before = counts(db)
        plan = plan_file(db, customers, "customers")
        assert [(p.action, p.field, p.message) for p in plan.rows] == [
            ("error", "name", "is too long (201 characters, at most 200)"),
            ("error", "notes", "is too long (5001 characters, at most 5000)"),
            ("create", None, None)]
        (row,) = plan_file(db, responses, "responses").rows
        assert (row.field, row.message) == ("summary", "is too long (5001 characters, at most 5000)")
        assert importer.apply(db, plan, only_valid=False).written is False
        assert counts(db) == before

def test_preview_writes_nothing(story_db):
    with crm_core.connect(story_db) as db:
        before, changes = counts(db), crm_core.change_count(story_db)
        plan = plan_file(db, (DATA / "respuestas_cp1252.csv").read_bytes(), "responses")
        assert plan.counts() == {"create": 3, "update": 0, "skip": 0, "error": 2}
        assert list(plan.frame().columns[:3]) == ["row", "action", "stage"]
        assert counts(db) == before and crm_core.change_count(story_db) == changes


def test_an_import_is_one_change_in_the_audit_trail_under_the_importers_name_and_one_undo_takes_it_back(story_db):
    customers = "name,sector,region\r\nKestrel Grid,Energy,Spain\r\nLumen Rail,Transport,France\r\n".encode()
    with crm_core.connect(story_db) as db:
        crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.changes"], 4, 4, "Before the import",
                              author="siti", today=TODAY)
        before, start = counts(db), len(crm_core.history(db))
        import_file(db, (DATA / "respuestas_cp1252.csv").read_bytes(), "responses", author="siti")
        trail = crm_core.history(db).iloc[start:]
        assert list(trail["action"]) == ["create"] * 3 and set(trail["author"]) == {"siti"}
        assert trail["change_id"].nunique() == 1
        undone = crm_core.undo(db, "siti")
        assert len(undone) == 3 and {row["entity"] for row in undone} == {"response"}
        assert {k: v for k, v in counts(db).items() if k != "audit"} == {
            k: v for k, v in before.items() if k != "audit"}
        assert table_rows(db, "responses")["summary"].tolist()[-1] == "Before the import"   # the next undo's
        # A customers' import (each customer with its first stage entry) goes back in one step too.
        import_file(db, customers, "customers", author="siti")
        assert counts(db)["customers"] == before["customers"] + 2
        crm_core.undo(db, "siti")
        assert counts(db)["customers"] == before["customers"]


def test_reimporting_the_same_file_creates_no_duplicates(story_db):
    data = (DATA / "respuestas_cp1252.csv").read_bytes()
    with crm_core.connect(story_db) as db:
        first = import_file(db, data, "responses")
        after_first = counts(db)
        second = import_file(db, data, "responses")
        assert (first.created, first.skipped) == (3, 0)
        assert (second.created, second.skipped, second.failed) == (0, 3, 2)
        assert counts(db) == after_first


def test_an_exported_database_imports_back_into_itself_as_all_duplicates(demo_db):
    with crm_core.connect(demo_db) as db:
        before = counts(db)
        for kind in importer.KINDS:
            data = importer.export_csv(importer.export_table(db, kind))
            result = import_file(db, data, kind)
            assert (result.created, result.updated, result.failed) == (0, 0, 0), kind
            assert result.skipped == before[kind]
        assert counts(db) == before


def test_an_export_rebuilds_the_same_portfolio_in_an_empty_database(demo_db, empty_db):
    with crm_core.connect(demo_db) as source:
        files = {kind: importer.export_csv(importer.export_table(source, kind)) for kind in importer.KINDS}
        original = crm_core.portfolio(source)
    with crm_core.connect(empty_db) as db:
        assert import_file(db, files["customers"], "customers").created == len(original)
        # Stages are not part of the export; only pre-deal rows can go in before the stage moves.
        responses = import_file(db, files["responses"], "responses")
        assert responses.created > 0 and set(responses.problems["field"]) == {"stage"}
        copied = crm_core.portfolio(db)
    assert list(copied["name"]) == list(original["name"])
    assert list(copied["created_on"]) == list(original["created_on"])


def test_customers_match_by_external_id_or_name_and_update_only_the_columns_given(story_db):
    rows = [["Customer", "External ID", "Region"],
            ["acme turbines", "ERP-1", "Northern Europe"],     # by name: gets an external id, keeps its spelling
            ["Acme Turbines Ltd", "ERP-1", ""],                # by id: renamed, region kept
            ["Delta Hydro", "", "Iberia"],                     # new
            ["DELTA HYDRO", "", "Iberia"]]                     # same again: skipped
    data = csv_bytes(rows)
    with crm_core.connect(story_db) as db:
        plan = plan_file(db, data, "customers")
        assert [p.action for p in plan.rows] == ["update", "update", "create", "skip"]
        result = importer.apply(db, plan, author="ana")
        assert (result.created, result.updated, result.skipped) == (1, 2, 1)
        acme = crm_core.journey(db, 1).customer
        assert (acme["name"], acme["external_id"], acme["region"]) == ("Acme Turbines Ltd", "ERP-1",
                                                                        "Northern Europe")
        assert (acme["sector"], acme["created_on"]) == ("Energy", "2025-01-01")
        delta = crm_core.portfolio(db).set_index("name").loc["Delta Hydro"]
        assert delta["created_on"] == TODAY.isoformat()
        again = import_file(db, csv_bytes([rows[0], *rows[2:]]), "customers")
        assert (again.created, again.updated, again.skipped) == (0, 0, 3)


def test_a_name_match_never_overwrites_another_external_id(story_db):
    with crm_core.connect(story_db) as db:
        import_file(db, b"name,external_id\nAcme Turbines,ERP-1\n", "customers")
        (row,) = plan_file(db, b"name,external_id\nAcme Turbines,ERP-2\n", "customers").rows
        assert (row.field, row.message) == ("external_id", "Acme Turbines has external id 'ERP-1', not 'ERP-2'")
        (row,) = plan_file(db, b"name,external_id\nBorealis Rail,ERP-1\n", "customers").rows
        assert (row.field, row.message) == ("name", "another customer already has this name")


def test_only_valid_writes_the_good_rows_and_reports_the_others(story_db):
    data = (DATA / "respuestas_cp1252.csv").read_bytes()
    with crm_core.connect(story_db) as db:
        before = counts(db)
        result = import_file(db, data, "responses", only_valid=True)
        assert (result.created, result.failed, result.written) == (3, 2, True)
        assert list(result.problems["row"]) == [5, 6]
        assert counts(db)["responses"] == before["responses"] + 3


def test_all_or_nothing_refuses_the_whole_file_when_one_row_fails(story_db):
    data = (DATA / "respuestas_cp1252.csv").read_bytes()
    with crm_core.connect(story_db) as db:
        before, changes = counts(db), crm_core.change_count(story_db)
        result = import_file(db, data, "responses", only_valid=False)
        assert (result.created, result.failed, result.written) == (0, 2, False)
        assert list(result.problems["field"]) == ["responded_on", "customer"]
        assert counts(db) == before and crm_core.change_count(story_db) == changes


def test_all_or_nothing_also_refuses_when_a_row_fails_only_at_write_time(story_db):
    data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                      ["Acme Turbines", "operational", "2025-06-01", "phone", "", "3", "3", "One"],
                      ["Borealis Rail", "pre_deal", "2025-06-01", "phone", "", "3", "3", "Two"]])
    with crm_core.connect(story_db) as db:
        plan = plan_file(db, data, "responses")
        crm_core.add_customer(db, {"name": "Someone else"}, today=TODAY)
        db.conn.execute("DELETE FROM customers WHERE id = 2")   # gone since the preview
        before = counts(db)
        result = importer.apply(db, plan, author="ana", only_valid=False)
        assert (result.written, result.failed) == (False, 1)
        assert result.problems.iloc[0]["field"] == "customer_id"
        assert counts(db) == before


def test_a_failure_half_way_leaves_the_database_as_it_was(demo_db, monkeypatch):
    with crm_core.connect(demo_db) as db:
        data = ten_thousand_responses(db, 1000)
        plan = plan_file(db, data, "responses")
        before, portfolio = counts(db), crm_core.portfolio(db)
        changes = crm_core.change_count(demo_db)
        real, calls = crm_core.writes.log_response, []

        def fails_on_row_500(*args, **kwargs):
            calls.append(1)
            if len(calls) == 500:
                raise OSError("disk unplugged")
            return real(*args, **kwargs)

        monkeypatch.setattr(crm_core.writes, "log_response", fails_on_row_500)
        with pytest.raises(OSError, match="disk unplugged"):
            importer.apply(db, plan, author="ana")
        assert counts(db) == before
        pd.testing.assert_frame_equal(crm_core.portfolio(db), portfolio)
        assert crm_core.change_count(demo_db) == changes
        monkeypatch.undo()
        assert importer.apply(db, plan, author="ana").created == 1000


def stages_of_every_journey(db) -> pd.DataFrame:
    """Every customer's journey stages (the scores a journey shows), one frame."""
    ids = crm_core.customer_names(db)["customer_id"]
    return pd.concat([crm_core.journey(db, int(i)).stages.assign(customer_id=int(i)) for i in ids],
                     ignore_index=True)


def shown_summaries(db) -> tuple[pd.DataFrame, ...]:
    return crm_core.portfolio(db), stages_of_every_journey(db), crm_core.quality_trend(db)


def assert_summaries_equal_a_rebuild(db) -> None:
    shown = shown_summaries(db)
    crm_core.rebuild_summaries(db)
    for left, right in zip(shown, shown_summaries(db)):
        pd.testing.assert_frame_equal(left, right)


def test_summaries_after_an_import_and_after_its_undo_equal_a_full_rebuild(demo_db):
    with crm_core.connect(demo_db) as db:
        before = shown_summaries(db)
        import_file(db, ten_thousand_responses(db, 2000), "responses")
        import_file(db, ten_opinions(db), "opinions")
        assert_summaries_equal_a_rebuild(db)
        # Each undo takes one import back, its summaries refreshed once at the end.
        crm_core.undo(db, "ana")
        crm_core.undo(db, "ana")
        assert_summaries_equal_a_rebuild(db)
        for left, right in zip(before, shown_summaries(db)):
            pd.testing.assert_frame_equal(left, right)


def test_a_viewer_cannot_import(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "Ada", "correct horse", "admin")
        crm_core.add_user(db, "Vic", "correct horse", "viewer", author="Ada")
        plan = plan_file(db, (DATA / "respuestas_cp1252.csv").read_bytes(), "responses")
        before = counts(db)
        with pytest.raises(crm_core.AccessDenied):
            importer.apply(db, plan, author="Vic")
        assert counts(db) == before
        assert importer.apply(db, plan, author="Ada").created == 3


def test_an_import_checks_its_authors_role_and_reads_the_checklist_once_not_per_row(story_db):
    """The writes of one import share its role check and its read of the checklist's items:
    how often it reads either does not grow with its rows."""
    def reads_of(rows: int) -> tuple[int, int]:
        data = csv_bytes([RESPONSE_HEADER.strip().split(","),
                          *(["Acme Turbines", "operational", f"2025-08-{day + 1:02d}", "phone", "ops.status", "3", "3",
                             f"Call {rows}.{day}"] for day in range(rows))])
        with crm_core.connect(story_db) as db:
            plan = plan_file(db, data, "responses")
            db.conn = Recording(db.conn)
            assert importer.apply(db, plan, author="Ed").created == rows
            run = [sql for sql, _ in db.conn.run]
        return (sum("FROM users" in sql for sql in run), sum("FROM checklist_items" in sql for sql in run))

    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "Ada", "correct horse", "admin")
        crm_core.add_user(db, "Ed", "correct horse", "editor", author="Ada")
    one, many = reads_of(1), reads_of(6)
    assert many == one


HOSTILE = [
    'He said "no", then \'maybe\'',
    "Robert'); DROP TABLE responses;--",
    "**bold** <b>html</b> <script>alert(1)</script> [x](javascript:alert(1))",
    "emoji 🚀👩‍🔧 and flags 🇪🇸🇫🇷",
    "\u202eright-to-left override\u202c and mark \u200f",
    "=HYPERLINK(\"http://evil\",\"click\")",
    "+1 and -1 and @SUM(A1)",
    "multi\nline; with, separators|inside",
]


def test_hostile_text_is_stored_exactly_and_survives_an_export_round_trip(story_db):
    rows = [["Acme Turbines", "operational", f"2025-07-{i + 1:02d}", "phone", "ops.status", "3", "3", text]
            for i, text in enumerate(HOSTILE)]
    data = csv_bytes([RESPONSE_HEADER.strip().split(","), *rows], ";")
    with crm_core.connect(story_db) as db:
        assert import_file(db, data, "responses").created == len(HOSTILE)
        stored = list(crm_core.journey(db, 1).responses["summary"].iloc[-len(HOSTILE):])
        assert stored == HOSTILE
        exported = importer.export_csv(importer.export_table(db, "responses"))
        again = import_file(db, exported, "responses")
        assert (again.created, again.failed) == (0, 0)
        assert len(crm_core.journey(db, 1).responses) == 2 + len(HOSTILE)


# --- export ----------------------------------------------------------------------------

def test_export_csv_is_utf8_with_bom_iso_dates_and_joined_lists():
    frame = pd.DataFrame({
        "name": ["Énergie Côte", None],
        "day": pd.to_datetime(["2026-11-23", "2026-01-05"]),
        "at": pd.to_datetime(["2026-11-23 10:30", None]),
        "items": [["pre.data", "pre.technology"], []],
        "opinion": pd.array([1, None], dtype="Int64"),
    })
    data = importer.export_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "name,day,at,items,opinion",
        "Énergie Côte,2026-11-23,2026-11-23T10:30:00,pre.data;pre.technology,1",
        ",2026-01-05,,,",
    ]


def test_export_csv_defuses_formulas_but_not_numbers():
    frame = pd.DataFrame({"text": ["=1+1", "-2", "-", "@me", "ok"], "n": [-1, 2, 3, 4, 5]})
    lines = importer.export_csv(frame).decode("utf-8-sig").splitlines()
    assert lines[1:] == ["'=1+1,-1", "-2,2", "'-,3", "'@me,4", "ok,5"]


def test_export_csv_keeps_a_meaningful_index():
    frame = pd.DataFrame({"score": [1, 2]}, index=pd.Index(["Acme", "Borealis"], name="customer"))
    assert importer.export_csv(frame).decode("utf-8-sig").splitlines() == ["customer,score", "Acme,1",
                                                                           "Borealis,2"]


def test_export_table_honours_as_of_and_filters(demo_db):
    with crm_core.connect(demo_db) as db:
        everything = importer.export_table(db, "responses")
        earlier = importer.export_table(db, "responses", as_of="2025-12-31")
        iberia = importer.export_table(db, "customers", filters={"region": "Iberia"})
        opinions = importer.export_table(db, "opinions")
        regions = crm_core.portfolio(db).set_index("name")["region"]
    assert 0 < len(earlier) < len(everything) and earlier["responded_on"].max() <= "2025-12-31"
    assert len(iberia) == (regions == "Iberia").sum() and set(regions[iberia["name"]]) == {"Iberia"}
    assert list(opinions.columns) == ["id", "customer", "external_id", "stage", "opinion_on", "score", "source",
                                      "note", "author"]


@pytest.mark.parametrize("kind", ["customers", "responses", "opinions"])
@pytest.mark.parametrize("as_of, filters", [
    (None, None), ("2025-12-31", None), (None, {"region": "Iberia"}),
    ("2025-12-31", {"sector": ["Rail & transport", "Mining"], "region": "Iberia"})])
def test_export_count_is_the_number_of_rows_the_export_writes(demo_db, kind, as_of, filters):
    with crm_core.connect(demo_db) as db:
        assert importer.export_count(db, kind, as_of, filters) == len(importer.export_table(db, kind, as_of, filters))


# --- command line ----------------------------------------------------------------------

def test_the_command_line_imports_exports_and_reports(story_db, tmp_path, capsys):
    from crm_core.__main__ import main

    source = DATA / "respuestas_cp1252.csv"
    assert main(["--db", str(story_db), "import", str(source), "--kind", "responses"]) == 2
    assert "nothing written: 2 rows failed" in capsys.readouterr().out
    assert main(["--db", str(story_db), "import", str(source), "--kind", "responses", "--only-valid",
                 "--author", "cli"]) == 0
    out, err = capsys.readouterr()
    assert "created 3, updated 0, skipped 0 (already there), failed 2" in out
    assert "row 5: responded_on: '31/02/2025' is not a real date" in err
    target = tmp_path / "responses.csv"
    assert main(["--db", str(story_db), "export", "--kind", "responses", "--out", str(target)]) == 0
    assert len(read_table(target.read_bytes(), target.name).rows) == 5
    assert main(["--db", str(story_db), "import", str(source), "--kind", "responses",
                 "--map", "summary=Nope"]) == 2
    assert "no column 'Nope'" in capsys.readouterr().err
    book = tmp_path / "clientes.ods"
    clientes = [["Nombre", "Sector"], ["Kestrel Grid", "Energy"]]
    book.write_bytes(workbook_bytes([["Notes"]], "ods", {"Clientes": clientes}))
    assert main(["--db", str(story_db), "import", str(book), "--kind", "customers", "--sheet", "Nada"]) == 2
    assert "no sheet 'Nada'; its sheets: Export, Clientes" in capsys.readouterr().err
    assert main(["--db", str(story_db), "import", str(book), "--kind", "customers", "--sheet", "Clientes",
                 "--author", "cli"]) == 0
    assert "1 rows (sheet 'Clientes')" in capsys.readouterr().out


# --- scale -----------------------------------------------------------------------------

def ten_thousand_responses(db, count: int = 10_000, seed: int = 1) -> bytes:
    """``count`` valid, distinct response rows for the demo customers in the 90
    days before the demo's last day, in a Spanish-headed, semicolon file."""
    rng = random.Random(seed)
    names = crm_core.customer_names(db)
    items = crm_core.checklist_items(db)
    keys = {stage: list(items[items["stage"] == stage]["key"]) for stage in crm_core.STAGES}
    rows = [["Cliente", "Etapa", "Fecha", "Modo", "Elementos", "Calidad", "Completitud", "Resumen"]]
    while len(rows) <= count:
        customer_id, name = names.iloc[rng.randrange(len(names))]
        day = dt.date(2026, 11, 20) - dt.timedelta(days=rng.randrange(90))
        stage = crm_core.storage.commands.stage_on(db, int(customer_id), day.isoformat())
        if stage is not None:
            rows.append([name, stage, day.strftime("%d/%m/%Y"), rng.choice(crm_core.MODES),
                         ";".join(rng.sample(keys[stage], 2)), rng.randint(1, 5), rng.randint(1, 5),
                         f"Seguimiento importado nº {len(rows)}"])
    return csv_bytes(rows, ";", "cp1252")


def ten_opinions(db) -> bytes:
    stage = crm_core.portfolio(db).set_index("name")["stage"]
    return csv_bytes([["customer", "stage", "date", "score", "note"]] +
                     [[name, stage[name], "2026-11-20", str(i % 5 - 2), f"Imported {i}"]
                      for i, name in enumerate(stage.index[:10])])


def test_ten_thousand_rows_import_in_one_go(demo_db):
    with crm_core.connect(demo_db) as db:
        data = ten_thousand_responses(db)
        before = counts(db)["responses"]
        start = time.perf_counter()
        table = read_table(data, "10k.csv")
        plan = preview(db, table, "responses", suggest_mapping(table.columns, "responses"), today=TODAY)
        planned = time.perf_counter()
        result = importer.apply(db, plan, author="bulk")
        done = time.perf_counter()
        assert (result.created, result.failed) == (10_000, 0)
        assert counts(db)["responses"] == before + 10_000
    print(f"\n10,000 response rows on the demo db: read+preview {planned - start:.2f} s, "
          f"apply {done - planned:.2f} s, total {done - start:.2f} s")
