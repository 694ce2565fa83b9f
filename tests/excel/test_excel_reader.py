"""The guarded .xlsx reader (lms_risk.excel.reader): values, sheet choice, and hostile files.

Every workbook is built here: good ones with openpyxl or XlsxWriter, hostile ones by re-zipping a
good one with a crafted member. No Flask app and no database.
"""

import datetime as dt
import io
import os
import random
import struct
import zipfile

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from lms_risk.excel import reader
from lms_risk.excel.reader import Limits, Problem, Upload, read_sheet

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --- building workbooks ------------------------------------------------------------------------


def openpyxl_book(rows, title="Register", others=(), epoch=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in others:
        book.create_sheet(name).append(["other"])
    if epoch is not None:
        book.epoch = epoch
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsxwriter_book(rows, title="Register") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title)
    for number, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(number, col, value)  # as is: no URL or number guessing
            elif value is not None:
                sheet.write(number, col, value)
    book.close()
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(data: bytes, replace=None, add=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with some members replaced or added (deflated, like Excel)."""
    parts = members(data)
    parts.update(replace or {})
    parts.update(add or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def with_sheet_data(cells: str, dimension: str | None = "A1:B2") -> bytes:
    """A one-sheet workbook whose sheet XML is exactly ``cells`` inside <sheetData>."""
    base = openpyxl_book([["Code", "Titel"]])
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}">{dim}'
           f"<sheetData>{cells}</sheetData></worksheet>")
    return rezip(base, {SHEET: xml.encode()})


def codes(sheet) -> list[str]:
    return [problem.code for problem in sheet.problems]


def refused(sheet, code: str, **params) -> Problem:
    """The one fatal problem of a refused sheet, checked to be ``code`` with ``params``."""
    assert sheet.header == [] and sheet.rows == []
    assert len(sheet.problems) == 1, sheet.problems
    problem = sheet.problems[0]
    assert (problem.code, problem.fatal) == (code, True), problem
    for key, value in params.items():
        assert problem.params[key] == value, problem
    return problem


# --- normal workbooks --------------------------------------------------------------------------


GOOD_ROWS = [
    ["Code", "Titel", "Kans", "Score", "Datum", "Moment", "Actief", None, "  "],
    ["R-1", " Uitval GMS ", 3, 2.5, dt.date(2024, 5, 6), dt.datetime(2024, 5, 6, 13, 45), True],
    [None, None, None],  # blank row: skipped
    ["   ", None, "\t"],  # whitespace only: blank too
    ["R-2", "Storing\nC2000", 4.0, -1.25, None, None, False, None, "x"],
]


def test_normal_workbook_values_types_and_row_numbers():
    sheet = read_sheet(openpyxl_book(GOOD_ROWS, others=["Toelichting"]))

    assert sheet.problems == []
    assert sheet.name == "Register"
    assert sheet.sheet_names == ["Register", "Toelichting"]
    assert sheet.header == ["Code", "Titel", "Kans", "Score", "Datum", "Moment", "Actief"]
    assert [number for number, _ in sheet.rows] == [2, 5]
    (_, first), (_, second) = sheet.rows
    assert first[:7] == ["R-1", " Uitval GMS ", 3, 2.5, dt.date(2024, 5, 6),
                         dt.datetime(2024, 5, 6, 13, 45), True]
    assert [type(v) for v in first[:7]] == [str, str, int, float, dt.date, dt.datetime, bool]
    assert second == ["R-2", "Storing\nC2000", 4, -1.25, None, None, False, None, "x"]
    assert type(second[2]) is int
    assert all(len(values) >= len(sheet.header) for _, values in sheet.rows)


def test_the_same_from_bytes_a_path_and_a_file_object(tmp_path):
    data = openpyxl_book(GOOD_ROWS)
    path = tmp_path / "register.xlsx"
    path.write_bytes(data)
    expected = read_sheet(data)
    for source in (path, str(path), io.BytesIO(data), bytearray(data), memoryview(data)):
        sheet = read_sheet(source)
        assert (sheet.header, sheet.rows, sheet.problems) == (
            expected.header, expected.rows, expected.problems)


def test_xlsxwriter_workbook_with_shared_strings():
    sheet = read_sheet(xlsxwriter_book([["Code", "Titel"], ["R-1", "Lek"], [None, None],
                                        ["R-2", 7]]))
    assert sheet.problems == []
    assert sheet.header == ["Code", "Titel"]
    assert sheet.rows == [(2, ["R-1", "Lek"]), (4, ["R-2", 7])]


def test_stored_members():
    sheet = read_sheet(rezip(openpyxl_book(GOOD_ROWS), compression=zipfile.ZIP_STORED))
    assert (sheet.header, sheet.rows) == (read_sheet(openpyxl_book(GOOD_ROWS)).header,
                                          read_sheet(openpyxl_book(GOOD_ROWS)).rows)


def test_times_and_durations_become_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Register"
    sheet.append(["Tijd", "Duur"])
    sheet.append([dt.time(12, 30), dt.timedelta(hours=36, minutes=5)])
    sheet["B2"].number_format = "[h]:mm:ss"
    out = io.BytesIO()
    book.save(out)
    assert read_sheet(out.getvalue()).rows == [(2, ["12:30:00", "36:05:00"])]


def test_1904_date_system_is_kept():
    sheet = read_sheet(openpyxl_book([["Datum"], [dt.date(2024, 5, 6)]], epoch=CALENDAR_MAC_1904))
    assert sheet.rows == [(2, [dt.date(2024, 5, 6)])]


def book_with_formats(rows, formats, epoch=None) -> bytes:
    """An openpyxl workbook with number formats set per column letter."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Register"
    for row in rows:
        sheet.append(row)
    for column, number_format in formats.items():
        for cell in sheet[column][1:]:
            cell.number_format = number_format
    if epoch is not None:
        book.epoch = epoch
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_numbers_beyond_excels_dates_in_date_cells_are_named():
    # -3.6e100 makes calamine panic (chrono); the sheet is still read and the cells named.
    data = book_with_formats(
        [["Code", "Review", "Aantal"],
         ["R-1", -3.658341417879956e100, 7],
         ["R-2", dt.date(2026, 5, 1), 8],
         ["R-3", -5, 9],
         ["R-4", 1e10, 10],
         ["R-5", dt.datetime(2026, 5, 1, 8, 30), 11]],
        {"B": "dd-mm-yyyy"})
    sheet = read_sheet(data)

    assert sheet.header == ["Code", "Review", "Aantal"]
    values = dict(sheet.rows)
    assert values[3] == ["R-2", dt.date(2026, 5, 1), 8]
    assert values[6] == ["R-5", dt.datetime(2026, 5, 1, 8, 30), 11]
    assert [values[n][0] for n in (2, 4, 5)] == ["R-1", "R-3", "R-4"]
    assert [(p.code, p.row, p.column, p.field, p.fatal) for p in sheet.problems] == [
        ("date_out_of_range", row, "B", "Review", False) for row in (2, 4, 5)]
    assert str(sheet.problems[0]) == "Register!B2: date_out_of_range"


def test_a_duration_too_long_for_python_is_named():
    # Not a panic: Python's timedelta refuses it; named all the same.
    data = book_with_formats([["Duur", "Datum"], [1e10, dt.date(2026, 1, 2)], [0.5, None]],
                             {"A": "[h]:mm", "B": "yyyy-mm-dd"})
    sheet = read_sheet(data)
    assert sheet.rows[1] == (3, ["12:00:00", None])
    assert sheet.rows[0][1][1] == dt.date(2026, 1, 2)
    assert [(p.code, p.row, p.column) for p in sheet.problems] == [("date_out_of_range", 2, "A")]


def test_beyond_excels_dates_in_the_1904_system():
    data = book_with_formats([["Datum"], [-1e100], [dt.date(2024, 5, 6)], [2_957_004]],
                             {"A": "yyyy-mm-dd"}, epoch=CALENDAR_MAC_1904)
    sheet = read_sheet(data)
    assert sheet.rows[1] == (3, [dt.date(2024, 5, 6)])
    assert [(p.code, p.row) for p in sheet.problems] == [
        ("date_out_of_range", 2), ("date_out_of_range", 4)]


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN_NS}">'
          '<numFmts count="2"><numFmt numFmtId="164" formatCode="0&quot; dagen&quot;"/>'
          '<numFmt numFmtId="165" formatCode="[$-413]d\\ mmmm\\ yyyy"/></numFmts>'
          '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
          '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
          '<xf numFmtId="165"/></cellXfs></styleSheet>')


def test_beyond_excels_dates_found_where_calamine_places_the_cells():
    # Cells without references, attributes in any order and quoting; a custom number format
    # with "dagen" in quotes is no date and its cell keeps its number without a problem.
    cells = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c>'
             '<c t="inlineStr"><is><t>Datum</t></is></c></row>'
             "<row><c t='inlineStr'><is><t>R-1</t></is></c><c t='n' s='1'><v>-4e100</v></c>"
             '<c s="2"><v>-4e100</v></c></row>'
             '<row r="5"><c r="A5" t="inlineStr"><is><t>R-2</t></is></c>'
             '<c s="3" r="B5"><v>45000</v></c><c s="1"><v>-1E+300</v></c></row>')
    data = rezip(with_sheet_data(cells, dimension=None), {"xl/styles.xml": STYLES.encode()})
    sheet = read_sheet(data)
    assert sheet.header == ["Code", "Datum"]
    assert sheet.rows[1] == (5, ["R-2", dt.date(2023, 3, 15), -1e300])
    assert sheet.rows[0][1][0] == "R-1"
    assert sheet.rows[0][1][2] == int(-4e100)
    assert [(p.code, p.row, p.column) for p in sheet.problems] == [
        ("date_out_of_range", 2, "B"), ("date_out_of_range", 5, "C")]


@pytest.mark.parametrize("code, is_date", [
    ("dd-mm-yyyy", True), ("[$-413]d mmmm yyyy", True), ("h:mm", True), ("[h]:mm", True),
    ("[ss]", True), ("General", False), ("0.00", False), ('0" dagen"', False),
    ("#,##0 [$€-413]", False), ("[Red]0", False), ("0\\d", False), ("0_d", False),
])
def test_which_number_formats_show_dates(code, is_date):
    assert reader._is_date_format(code) is is_date


def test_the_search_for_such_dates_is_bounded_like_the_exact_walk():
    # More cell elements than the limits hold (repeats of an in-bounds cell pass the scan):
    # the search, a walk in Python, is not run over them.
    cells = '<row r="1">' + '<c r="A1"/>' * 7 + '<c r="B1" s="1"><v>-4e100</v></c></row>'
    data = rezip(with_sheet_data(cells), {"xl/styles.xml": STYLES.encode()})
    refused(read_sheet(data, limits=Limits(max_rows=2, max_columns=2)), "not_xlsx")
    bounded = read_sheet(data, limits=Limits(max_rows=3, max_columns=2))
    assert [(p.code, p.row, p.column) for p in bounded.problems] == [
        ("date_out_of_range", 1, "B")]


def test_a_calamine_failure_without_such_a_date_is_still_refused():
    # An error value calamine does not know; a date cell in range changes nothing.
    cells = ('<row r="1"><c r="A1" s="1"><v>45000</v></c>'
             '<c r="B1" t="e"><v>#NONSENSE!</v></c></row>')
    data = rezip(with_sheet_data(cells), {"xl/styles.xml": STYLES.encode()})
    refused(read_sheet(data), "not_xlsx")


def test_data_not_starting_in_a1_keeps_excel_positions():
    sheet = read_sheet(with_sheet_data(
        '<row r="3"><c r="C3" t="inlineStr"><is><t>Code</t></is></c></row>'
        '<row r="5"><c r="D5"><v>2</v></c></row>', dimension="C3:D5"))
    assert sheet.problems == []
    assert sheet.header == []  # row 1 is empty
    assert sheet.rows == [(3, [None, None, "Code", None]), (5, [None, None, None, 2])]


def test_sheet_chosen_among_several_case_insensitively():
    data = openpyxl_book([["Code"], ["R-1"]], title="REGISTER", others=["Lijsten", "Uitleg"])
    sheet = read_sheet(data, "register")
    assert (sheet.name, sheet.rows) == ("REGISTER", [(2, ["R-1"])])
    assert sheet.sheet_names == ["REGISTER", "Lijsten", "Uitleg"]

    # Several accepted names: the first one that exists wins.
    assert read_sheet(data, ["Risico's", "LIJSTEN", "Register"]).name == "Lijsten"


def test_several_sheets_of_one_upload_read_as_one_by_one():
    data = openpyxl_book(GOOD_ROWS, others=["Lijsten"])
    upload = Upload(data)
    for names in ("Register", ["Plannen", "Lijsten"], "Oefeningen"):
        sheet, alone = upload.sheet(names), read_sheet(data, names)
        assert (sheet.name, sheet.header, sheet.rows, sheet.problems) == (
            alone.name, alone.header, alone.rows, alone.problems)

    # A file that cannot be opened is refused for every sheet asked, each with its own name.
    upload = Upload(b"Code;Titel\nR-1;Lek\n")
    first, second = upload.sheet("Register"), upload.sheet(["BIA"])
    refused(first, "not_xlsx", kind="csv_or_text")
    refused(second, "not_xlsx", kind="csv_or_text")
    assert (first.name, second.name) == ("Register", "BIA")


def test_sheet_name_with_markup_characters():
    data = openpyxl_book([["Code"], ["R-1"]], title="Risico's & <maatregelen>")
    sheet = read_sheet(data, "risico's & <MAATREGELEN>")
    assert (sheet.name, sheet.rows, sheet.problems) == (
        "Risico's & <maatregelen>", [(2, ["R-1"])], [])


def test_missing_sheet():
    sheet = read_sheet(openpyxl_book([["Code"]], title="Blad1", others=["Blad2"]),
                       ["Register", "Risico's"])
    problem = refused(sheet, "missing_sheet", wanted=["Register", "Risico's"],
                      found=["Blad1", "Blad2"])
    assert problem.sheet is None
    assert sheet.sheet_names == ["Blad1", "Blad2"]


def test_empty_sheet():
    sheet = read_sheet(openpyxl_book([]))
    assert (sheet.header, sheet.rows, sheet.problems) == ([], [], [])


def test_problem_as_text():
    assert str(Problem("formula", sheet="Register", row=5, column="C")) == "Register!C5: formula"
    assert str(Problem("too_large", {"max": 10}, fatal=True)) == "too_large (max=10)"


# --- not an xlsx -------------------------------------------------------------------------------


def cfb(*streams: str) -> bytes:
    """A minimal OLE2 compound file (as .xls and encrypted .xlsx are) holding empty streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    header[80:512] = b"\xff" * 432
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504

    def entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1,
                                                         0xFFFFFFFF, right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", 0xFFFFFFFE, 0))

    entries = [entry("Root Entry", 5, child=1)]
    for index, name in enumerate(streams, 1):
        entries.append(entry(name, 2, right=index + 1 if index < len(streams) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + fat + directory


def test_old_xls_file():
    refused(read_sheet(cfb("Workbook", "\x05SummaryInformation")), "not_xlsx", kind="xls")


def test_ole2_magic_with_padding_is_xls():
    refused(read_sheet(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), "not_xlsx", kind="xls")


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_text("Code;Titel;Kans\nR-1;Uitval GMS;3\nR-2;Storing é;4\n", encoding="utf-8")
    refused(read_sheet(path), "not_xlsx", kind="csv_or_text")
    # A text that happens to start with "PK" is still text.
    refused(read_sheet(b"PK;Naam\n1;Meldkamer Noord\n"), "not_xlsx", kind="csv_or_text")
    refused(read_sheet("Code\tTitel\n".encode("utf-16")), "not_xlsx", kind="csv_or_text")


def test_random_bytes():
    data = b"\x01" + os.urandom(4095)  # never starts like a zip or an OLE2 file
    refused(read_sheet(data), "not_xlsx", kind="unknown")
    refused(read_sheet(b""), "not_xlsx", kind="unknown")


def test_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hallo")
    refused(read_sheet(out.getvalue()), "not_xlsx", kind="unknown")


def test_word_document_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", '<w:document xmlns:w="urn:w"/>')
    refused(read_sheet(out.getvalue()), "not_xlsx", kind="unknown")


def test_truncated_zip():
    data = openpyxl_book(GOOD_ROWS)
    refused(read_sheet(data[: len(data) // 2]), "not_xlsx")


# --- encryption --------------------------------------------------------------------------------


def test_password_protected_workbook():
    data = cfb("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    assert "EncryptedPackage".encode("utf-16-le") in data
    problem = refused(read_sheet(data), "encrypted")
    assert problem.params == {}


def test_zip_with_encrypted_member():
    data = bytearray(openpyxl_book(GOOD_ROWS))
    # Set the "encrypted" flag of the first member in its local and central headers.
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 1)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, struct.unpack_from("<H", data, central + 8)[0] | 1)
    refused(read_sheet(bytes(data)), "encrypted")


# --- zip bombs and zip structure ---------------------------------------------------------------


def with_big_member(size_mib: int) -> bytes:
    """A good workbook plus a member of ``size_mib`` MiB of one byte value, streamed so that
    neither the test nor the reader holds it whole (it deflates about 1000:1)."""
    out = io.BytesIO(openpyxl_book([["Code"], ["R-1"]]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/media/image1.png", "w", force_zip64=False) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size_mib):
                member.write(chunk)
    return out.getvalue()


def test_zip_bomb_by_declared_total():
    data = with_big_member(50)
    assert len(data) < 200_000
    refused(read_sheet(data, limits=Limits(max_uncompressed=10 * 1024 * 1024, max_ratio=10_000)),
            "zip_bomb")


def test_zip_bomb_by_compression_ratio():
    refused(read_sheet(with_big_member(50)), "zip_bomb")  # ~1000:1 against max_ratio 100


def central_directory(data: bytes):
    """(offset of each central header, its name) of a zip."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    position = start
    for _ in range(count):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        yield position, data[position + 46 : position + 46 + name_length].decode()
        position += 46 + name_length + extra_length + comment_length


def falsify_size(data: bytes, name: str, size: int) -> bytes:
    """Declare a smaller uncompressed size for ``name`` in its central and local headers."""
    data = bytearray(data)
    for offset, member in central_directory(bytes(data)):
        if member == name:
            struct.pack_into("<I", data, offset + 24, size)
            (local,) = struct.unpack_from("<I", data, offset + 42)
            struct.pack_into("<I", data, local + 22, size)
            return bytes(data)
    raise AssertionError(name)


def test_member_inflating_to_more_than_declared():
    rows = [["Code", "Titel"]] + [[f"R-{n}", "tekst " * 20] for n in range(200)]
    data = openpyxl_book(rows)
    assert len(members(data)[SHEET]) > 10_000
    refused(read_sheet(falsify_size(data, SHEET, 500)), "zip_bomb")


def test_member_inflating_to_less_than_declared():
    data = openpyxl_book(GOOD_ROWS)
    refused(read_sheet(falsify_size(data, SHEET, len(members(data)[SHEET]) + 10)), "not_xlsx")


def test_too_many_zip_entries():
    data = rezip(openpyxl_book(GOOD_ROWS), add={f"customXml/item{n}.bin": b"x" for n in range(20)})
    refused(read_sheet(data, limits=Limits(max_entries=25)), "too_many_entries")
    assert read_sheet(data, limits=Limits(max_entries=40)).problems == []


def test_duplicate_member_names():
    data = openpyxl_book(GOOD_ROWS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members(data).items():
            archive.writestr(name, content)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr(SHEET, members(data)[SHEET])
    refused(read_sheet(out.getvalue()), "not_xlsx")


# --- XML entities ------------------------------------------------------------------------------


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
              for n in range(1, 10))
    + "]>"
)


def test_billion_laughs_in_shared_strings():
    data = xlsxwriter_book([["Code"], ["&lol9;"]])
    shared = members(data)["xl/sharedStrings.xml"].decode()
    declaration, rest = shared.split("\n", 1)
    bomb = f"{declaration}\n{BILLION_LAUGHS}\n{rest.replace('&amp;lol9;', '&lol9;')}"
    refused(read_sheet(rezip(data, {"xl/sharedStrings.xml": bomb.encode()})), "xml_entities")


def test_external_entity_in_sheet():
    xml = ('<?xml version="1.0"?>\n'
           '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
           "&xxe;</t></is></c></row></sheetData></worksheet>")
    data = rezip(openpyxl_book([["Code"]]), {SHEET: xml.encode()})
    refused(read_sheet(data), "xml_entities")


def test_entities_in_any_part_and_any_spelling():
    base = openpyxl_book(GOOD_ROWS)
    app = members(base)["docProps/app.xml"]
    lower = b'<!doctype Properties [<!entity a "b">]>' + app
    refused(read_sheet(rezip(base, {"docProps/app.xml": lower})), "xml_entities")
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    refused(read_sheet(rezip(base, {"docProps/custom.xml": utf16.encode("utf-16")})),
            "xml_entities")


def test_sheet_in_utf16_is_refused():
    # Byte scans can't see its cells, so it must not reach calamine.
    xml = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
           '<row r="1"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    data = rezip(openpyxl_book([["Code"]]), {SHEET: xml.encode("utf-16")})
    refused(read_sheet(data), "not_xlsx")


def test_exclamation_marks_in_text_are_fine():
    sheet = read_sheet(openpyxl_book([["Code", "Let op!"], ["R-1", "<!-- geen commentaar -->!"]]))
    assert sheet.problems == []
    assert sheet.rows == [(2, ["R-1", "<!-- geen commentaar -->!"])]


# --- sheet extent ------------------------------------------------------------------------------


def test_dimension_claiming_the_whole_sheet():
    data = with_sheet_data('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576")
    problem = refused(read_sheet(data), "dimension_too_large", rows=1048576, columns=16384)
    assert problem.sheet == "Register"


def test_lying_dimension_with_a_far_cell():
    for far in ("XFD1048576", "A1048576", "XFD1", "CW1", "A20002", "xfd5"):
        data = with_sheet_data(f'<row r="1"><c r="A1"><v>1</v></c></row>'
                               f'<row r="2"><c r="{far}"><v>2</v></c></row>', dimension="A1:B2")
        refused(read_sheet(data), "dimension_too_large")


def test_far_cell_without_dimension_and_with_oddities():
    cells = [
        '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>2</v></c></row>',
        "<row r=\"1\"><c r='XFD1048576'><v>2</v></c></row>",  # other quotes
        '<row r="1"><c s="0" r="A1048576"><v>2</v></c></row>',  # r not first
        '<row r="1"><c r="A0001048576"><v>2</v></c></row>',  # leading zeros
        '<x:row xmlns:x="urn:x" r="1"><x:c r="XFD1"><x:v>2</x:v></x:c></x:row>',  # prefixes
    ]
    for xml in cells:
        refused(read_sheet(with_sheet_data(xml, dimension=None)), "dimension_too_large")


def test_cells_without_references_are_placed_like_calamine_does():
    # Without r, cells follow each other and rows follow each other: 101 cells reach column CW.
    row = "".join("<c><v>1</v></c>" for _ in range(101))
    refused(read_sheet(with_sheet_data(f"<row>{row}</row>", dimension=None)),
            "dimension_too_large", rows=1, columns=101)
    rows = "<row/>" * 20_001 + "<row><c><v>1</v></c></row>"
    refused(read_sheet(with_sheet_data(rows, dimension=None)), "dimension_too_large",
            rows=20_002, columns=1)
    # Within bounds they are read at those positions.
    sheet = read_sheet(with_sheet_data(
        '<row><c t="inlineStr"><is><t>Code</t></is></c><c t="inlineStr"><is><t>Titel</t></is></c>'
        '</row><row r="4"><c><v>7</v></c><c><f>1+1</f><v>2</v></c></row>', dimension=None))
    assert sheet.header == ["Code", "Titel"]
    assert sheet.rows == [(4, [7, 2])]
    assert [(p.code, p.row, p.column, p.field) for p in sheet.problems] == [
        ("formula", 4, "B", "Titel")]


def test_absurd_references_are_refused_not_raised():
    for ref in ("A" + "9" * 5000, "ABCDEFGHIJKLMNOP1", "A0", "1A", "A-1"):
        data = with_sheet_data(f'<row r="1"><c r="{ref}"><v>1</v></c></row>', dimension=None)
        assert read_sheet(data).problems[0].fatal, ref


def test_second_reference_attribute_is_not_trusted():
    # calamine would take the last r; expat refuses the duplicate attribute.
    data = with_sheet_data('<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>')
    assert read_sheet(data).problems[0].fatal


def test_empty_far_cell_is_harmless():
    # Excel writes formatted empty cells; calamine leaves them out of its range.
    sheet = read_sheet(with_sheet_data(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'
        '<row r="2"><c r="A2"><v>5</v></c><c r="XFD1048576" s="1"/></row>', dimension=None))
    assert (sheet.header, sheet.rows, sheet.problems) == (["Code"], [(2, [5])], [])


def test_limits_on_rows_and_columns_are_checked_before_calamine():
    rows = [[f"K{n}" for n in range(4)]] + [[n, n, n, n] for n in range(5)]
    data = openpyxl_book(rows)
    assert read_sheet(data, limits=Limits(max_rows=5, max_columns=4)).problems == []
    refused(read_sheet(data, limits=Limits(max_rows=4)), "dimension_too_large", rows=6, columns=4)
    refused(read_sheet(data, limits=Limits(max_columns=3)), "dimension_too_large", columns=4)
    # The dimension may lie (or be missing): the cells themselves are checked.
    for dimension in (None, "A1:A1"):
        xml = members(data)[SHEET].decode().replace('<dimension ref="A1:D6" />', (
            f'<dimension ref="{dimension}"/>' if dimension else ""))
        lying = rezip(data, {SHEET: xml.encode()})
        refused(read_sheet(lying, limits=Limits(max_rows=4)), "dimension_too_large", rows=6)
        refused(read_sheet(lying, limits=Limits(max_columns=3)), "dimension_too_large",
                columns=4)


def test_too_many_rows_and_columns_after_reading(monkeypatch):
    # Defence in depth behind the XML scan: counted again on the values read.
    monkeypatch.setattr(reader, "_scan_sheet", lambda xml, limits: [])
    rows = [["Code", "Titel", "Kans"]] + [[f"R-{n}", "x", None] for n in range(5)] + [[None] * 3]
    data = openpyxl_book(rows)
    refused(read_sheet(data, limits=Limits(max_rows=4)), "too_many_rows", max=4)
    assert len(read_sheet(data, limits=Limits(max_rows=5)).rows) == 5
    refused(read_sheet(data, limits=Limits(max_columns=2)), "too_many_columns", max=2)
    assert read_sheet(data, limits=Limits(max_columns=3)).problems == []


# --- cell problems -----------------------------------------------------------------------------


def test_formulas_are_reported_with_row_column_and_header():
    rows = [["Code", "Titel", "Link"], ["R-1", "=1+1", None], [None, None, None],
            ["R-3", "tekst", '=HYPERLINK("http://x","y")']]
    sheet = read_sheet(openpyxl_book(rows))
    assert [(p.code, p.row, p.column, p.field, p.fatal, p.sheet) for p in sheet.problems] == [
        ("formula", 2, "B", "Titel", False, "Register"),
        ("formula", 4, "C", "Link", False, "Register"),
    ]
    assert str(sheet.problems[0]) == "Register!B2: formula"
    # Not fatal: the rows are still there (openpyxl stores no cached value).
    assert sheet.rows == [(2, ["R-1", None, None]), (4, ["R-3", "tekst", None])]


def test_formula_value_is_the_cached_one():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Register")
    sheet.write_row(0, 0, ["Code", "Som"])
    sheet.write_string(1, 0, "R-1")
    sheet.write_formula(1, 1, "=1+1", None, 2)
    book.close()
    sheet = read_sheet(out.getvalue())
    assert sheet.rows == [(2, ["R-1", 2])]
    assert [(p.code, p.row, p.column) for p in sheet.problems] == [("formula", 2, "B")]


def test_problems_are_capped():
    rows = [["Code"]] + [[f"={n}+1"] for n in range(10)]
    sheet = read_sheet(openpyxl_book(rows), limits=Limits(max_problems=3))
    assert [(p.code, p.row) for p in sheet.problems] == [("formula", 2), ("formula", 3),
                                                         ("formula", 4)]


def test_cell_too_long():
    sheet = read_sheet(openpyxl_book([["Code", "Omschrijving"], ["R-1", "x" * 32_767],
                                      ["R-2", "y" * 10_000]]))
    assert [(p.code, p.params, p.row, p.column, p.field, p.fatal) for p in sheet.problems] == [
        ("cell_too_long", {"max": 10_000}, 2, "B", "Omschrijving", False)]
    assert sheet.rows[0] == (2, ["R-1", "x" * 32_767])
    assert read_sheet(openpyxl_book([["x" * 101]]), limits=Limits(max_cell_chars=100)).problems[
        0].code == "cell_too_long"


def test_control_characters_from_ooxml_escapes():
    data = xlsxwriter_book([["Code", "Titel"], ["R-1", "bel\x07"], ["R-2", "tab\tlf\ncr\r"],
                            ["R-3", "del\x7f"]])
    assert b"bel_x0007_" in members(data)["xl/sharedStrings.xml"]
    sheet = read_sheet(data)
    assert [(p.code, p.row, p.column, p.field) for p in sheet.problems] == [
        ("control_characters", 2, "B", "Titel"), ("control_characters", 4, "B", "Titel")]
    assert sheet.rows[0] == (2, ["R-1", "bel\x07"])


def test_control_characters_in_raw_xml():
    sheet = read_sheet(with_sheet_data(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a_x000B_b</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>geen_x0009_probleem</t></is></c></row>'))
    assert [(p.code, p.row, p.column) for p in sheet.problems] == [("control_characters", 2, "A")]
    assert sheet.rows == [(2, ["a\x0bb"]), (3, ["geen\tprobleem"])]


# --- size of the upload ------------------------------------------------------------------------


class Endless(io.RawIOBase):
    """A stream that never ends and can't seek: reading it whole would never finish."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"\0" * len(buffer)
        self.given += len(buffer)
        return len(buffer)


def test_too_large(tmp_path):
    data = openpyxl_book(GOOD_ROWS)
    limits = Limits(max_bytes=len(data) - 1)
    path = tmp_path / "register.xlsx"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data)):
        refused(read_sheet(source, limits=limits), "too_large", max=len(data) - 1)
    with open(path, "rb") as handle:
        refused(read_sheet(handle, limits=limits), "too_large", max=len(data) - 1)
    assert read_sheet(data, limits=Limits(max_bytes=len(data))).problems == []

    stream = Endless()
    refused(read_sheet(stream, limits=Limits(max_bytes=1000)), "too_large", max=1000)
    assert stream.given <= 1001


def test_file_object_read_from_its_position():
    data = openpyxl_book(GOOD_ROWS)
    handle = io.BytesIO(b"junk" + data)
    handle.seek(4)
    assert read_sheet(handle, limits=Limits(max_bytes=len(data))).problems == []


def test_wrong_source_type():
    with pytest.raises(TypeError):
        read_sheet(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        read_sheet(io.StringIO("Code;Titel"))  # type: ignore[arg-type]


# --- robustness --------------------------------------------------------------------------------


def test_mangled_sheets_never_raise_nor_break_the_bounds():
    """Random edits of a good sheet's XML (a fixed seed): every result is a clean refusal or
    rows inside the limits."""
    chance = random.Random(20240506)
    base = openpyxl_book(GOOD_ROWS)
    xml = members(base)[SHEET]
    pieces = [b"<", b">", b'"', b"<c><v>1</v></c>", b'<c r="XFD9"><v>1</v></c>', b"<f>1</f>",
              b' r="Z99"', b"<row>", b"</row>", b"</c>", b"<!DOCTYPE x>", b"_x0001_", b"\x00",
              b'<x:c r="B2">', b"<![CDATA[<c r='XFD1'>]]>", b"sheetData", b'<dimension ref="A1"/>']
    limits = Limits(max_rows=8, max_columns=9)
    for _ in range(150):
        mangled = bytearray(xml)
        for _ in range(chance.randint(1, 5)):
            at = chance.randrange(len(mangled) + 1)
            if chance.random() < 0.7:
                mangled[at:at] = chance.choice(pieces)
            else:
                del mangled[at : at + chance.randint(1, 20)]
        sheet = read_sheet(rezip(base, {SHEET: bytes(mangled)}), limits=limits)
        if any(problem.fatal for problem in sheet.problems):
            assert sheet.rows == [] and len(sheet.problems) == 1
        else:
            assert len(sheet.header) <= 9
            assert all(number <= 9 and len(values) <= 9 for number, values in sheet.rows)
