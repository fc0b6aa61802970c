"""The import and export page: upload, map, preview every failing row, import the valid
rows or nothing, the mapping remembered for the next file, exports; backups only on the server."""

import datetime as dt

import crm_core
from fixtures import workbook_bytes
from pages.common.importing import export_file

PAGE = "pages/9_Import_export.py"
GOOD_AND_BAD = (
    "customer,stage,responded_on,mode,items,quality,completeness,summary\r\n"
    "Acme Turbines,operational,2025-06-01,phone,ops.status,4,3,Status call\r\n"
    "Acme Turbines,operational,2025-06-02,email_fax,ops.delays,6,3,Delay plan\r\n"
    "Borealis Rail,pre_deal,2025-04-01,face_to_face,pre.data,3,3,Spec sheet\r\n"
    "Nobody Ltd,pre_deal,2025-04-01,phone,,3,3,Who?\r\n"
).encode()
# Headers no guess recognises: the user maps them by hand once.
ODD = ("Kunde;Phase;Tag;Weg;Note Q;Note V;Text\n"
       "Acme Turbines;operational;01.06.2025;phone;4;3;Status call\n").encode()
ODD_FIELDS = {"customer": "Kunde", "stage": "Phase", "responded_on": "Tag", "mode": "Weg", "quality": "Note Q",
              "completeness": "Note V", "summary": "Text"}


def responses(db_path) -> int:
    with crm_core.connect(db_path) as db:
        return len(crm_core.export_table(db, "responses"))


def upload(page, name: str, data: bytes):
    page.file_uploader[0].upload(name, data, "text/csv")
    return page.run()


def mapped(page) -> dict:
    """The column each field's select box holds, by the box's label."""
    return {box.label.rstrip(" *"): box.value for box in page.selectbox}


def test_failing_rows_are_listed_and_only_the_valid_rows_are_imported(open_page, story_db):
    page = open_page(PAGE, story_db)
    page.text_input(key="author").input("Ana").run()
    upload(page, "responses.csv", GOOD_AND_BAD)
    assert not page.exception
    assert [m.value for m in page.metric] == ["2", "0", "0", "2"]
    problems = page.dataframe[1].value
    assert list(problems["Row"]) == [3, 5]
    assert list(problems["Reason"]) == ["6 is out of range (1 to 5)", "no customer 'Nobody Ltd'"]
    assert page.button(key="import_valid").label == "Import the 2 valid rows"
    page.button(key="import_valid").click().run()
    assert [s.value for s in page.success] == ["Imported: 2 new, 0 updated, 0 already there, 2 failed."]
    assert any("takes all of it back" in caption.value for caption in page.caption)
    with crm_core.connect(story_db) as db:
        table = crm_core.export_table(db, "responses")
        assert len(table) == 4
        crm_core.undo(db, "Ana")    # the one undo the caption promises
        assert len(crm_core.export_table(db, "responses")) == 2
    imported = table[table["summary"].isin(["Status call", "Spec sheet"])]
    assert sorted(imported["customer"]) == ["Acme Turbines", "Borealis Rail"]
    assert set(imported["author"]) == {"Ana"}
    assert page.file_uploader[0].value is None          # ready for the next file


def test_a_workbook_imports_from_the_sheet_chosen_with_its_crm_columns_mapped(open_page, story_db):
    companies = [["Record ID", "Company name", "Company owner", "Create Date", "Country/Region", "Industry"],
                 [9001, "Kestrel Grid", "Ana Ruiz", dt.date(2025, 3, 4), "Spain", "Energy"]]
    data = workbook_bytes([["Exported by HubSpot"], ["2026-11-30"]], "xlsx", {"Companies": companies})
    page = open_page(PAGE, story_db)
    page.text_input(key="author").input("Ana").run()
    page.segmented_control(key="import_kind").set_value("customers").run()
    page.file_uploader[0].upload("hubspot.xlsx", data,
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    page.run()
    assert not page.exception
    sheet = next(box for box in page.selectbox if box.label == "Sheet")
    assert (sheet.value, sheet.options) == ("Export", ["Export", "Companies"])
    sheet.set_value("Companies").run()
    assert not page.error, page.error[0].value
    assert "1 row read from the sheet Companies" in " ".join(c.value for c in page.caption)
    assert {k: v for k, v in mapped(page).items() if v and k not in ("Sheet", "🌐 Language")} == {
        "Name": "Company name", "External id": "Record ID", "Sector": "Industry", "Region": "Country/Region",
        "Account manager": "Company owner", "Customer since": "Create Date"}
    page.button(key="import_valid").click().run()
    assert [s.value for s in page.success] == ["Imported: 1 new, 0 updated, 0 already there, 0 failed."]
    with crm_core.connect(story_db) as db:
        customers = crm_core.export_table(db, "customers").set_index("name")
    assert customers.loc["Kestrel Grid", ["external_id", "created_on", "region"]].tolist() == [
        "9001", "2025-03-04", "Spain"]


def test_import_nothing_writes_nothing(open_page, story_db):
    before = crm_core.change_count(story_db), responses(story_db)
    page = open_page(PAGE, story_db)
    upload(page, "responses.csv", GOOD_AND_BAD)
    page.button(key="import_nothing").click().run()
    assert [i.value for i in page.info] == ["Nothing was imported."]
    assert (crm_core.change_count(story_db), responses(story_db)) == before


def test_re_importing_the_same_file_finds_everything_already_there(open_page, story_db):
    page = open_page(PAGE, story_db)
    upload(page, "responses.csv", GOOD_AND_BAD)
    page.button(key="import_valid").click().run()
    upload(page, "responses.csv", GOOD_AND_BAD)
    assert [m.value for m in page.metric] == ["0", "0", "2", "2"]
    assert page.button(key="import_valid").disabled
    assert responses(story_db) == 4


def test_a_mapping_made_by_hand_is_offered_again_for_a_file_with_the_same_headers(open_page, story_db):
    page = open_page(PAGE, story_db)
    upload(page, "odd.csv", ODD)
    labels = {"customer": "Customer name", "stage": "Stage", "responded_on": "Date", "mode": "Mode",
              "quality": "Quality", "completeness": "Completeness", "summary": "Summary"}
    assert mapped(page)["Quality"] is None               # not guessed
    assert "choose a column for" in page.error[0].value
    for field, column in ODD_FIELDS.items():
        next(b for b in page.selectbox if b.label.rstrip(" *") == labels[field]).select(column)
    page.run()
    assert [m.value for m in page.metric] == ["1", "0", "0", "0"]
    page.button(key="import_valid").click().run()
    assert page.success[0].value.startswith("Imported: 1 new")

    second = ("Text;Kunde;Phase;Tag;Weg;Note Q;Note V\n"      # same headers, other order
              "Follow-up;Acme Turbines;operational;02.06.2025;email_fax;3;3\n").encode()
    upload(page, "odd-again.csv", second)
    assert {labels[f]: c for f, c in ODD_FIELDS.items()}.items() <= mapped(page).items()
    assert [m.value for m in page.metric] == ["1", "0", "0", "0"]


def test_a_file_that_is_not_a_table_gets_the_reason_and_no_preview(open_page, story_db):
    page = open_page(PAGE, story_db)
    upload(page, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert [e.value for e in page.error] == ["photo.csv is a binary file, not CSV text (it contains NUL bytes)"]
    assert len(page.metric) == 0 and len(page.main.button) == 0      # nothing to import


def test_opening_the_page_counts_the_export_but_reads_its_rows_only_for_the_download(open_page, story_db, monkeypatch):
    read_rows = []
    export_table = crm_core.export_table
    monkeypatch.setattr(crm_core, "export_table", lambda *args, **kwargs: read_rows.append(args[1:]) or export_table(
        *args, **kwargs))
    page = open_page(PAGE, story_db)
    page.segmented_control(key="export_kind").set_value("customers").run()
    assert not page.exception and any(c.value.startswith("3 rows,") for c in page.caption)
    assert read_rows == []


def test_the_download_is_the_export_of_the_chosen_table_filters_and_day(story_db):
    filters = {"account_manager": ["Jonas"]}
    with crm_core.connect(story_db) as db:
        expected = crm_core.export_csv(crm_core.export_table(db, "customers", dt.date(2025, 6, 1), filters))
    data = export_file(str(story_db), "customers", dt.date(2025, 6, 1), filters)
    assert data == expected
    header, *rows = data.decode("utf-8-sig").splitlines()
    assert header.startswith("id,external_id,name,") and len(rows) == 1 and ",Borealis Rail," in rows[0]


def test_the_export_counts_the_filtered_rows(open_page, story_db):
    page = open_page(PAGE, story_db)
    assert any(c.value.startswith("2 rows,") for c in page.caption)
    page.multiselect(key="account_manager").select("Jonas").run()
    assert any(c.value.startswith("0 rows,") for c in page.caption)
