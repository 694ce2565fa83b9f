"""Guarded reading of one sheet of an uploaded .xlsx workbook.

Pure Python, no Flask and no database: ``read_sheet`` returns the header, the non-blank rows and
the problems found, as codes with parameters that the caller translates.

An upload is hostile until shown otherwise, yet an ordinary file must cost little more than
python-calamine alone. So every check is a scan that runs in C: the zip central directory,
inflation with an output bound, ``bytes.find`` and compiled regular expressions over the XML.
Only when a scan finds something unusual does an exact pass (expat, DTDs refused) walk the
sheet, to decide and to locate.

Calamine never parses the upload itself. Once checked, the parts it needs (the sheet, the shared
strings, the styles) are copied, still compressed, into a fresh package with a synthetic
workbook: calamine reads exactly the bytes that were checked, whatever the upload does with part
names, relationships or zip structure, and its format sniffing (xls, xlsb, ods) finds nothing
else to fall back on.

The checks, in order: size of the upload; OLE2 (old .xls, or an encrypted .xlsx) and text;
zip directory (entries, encryption flags, codecs, duplicate names, declared sizes and ratios);
each XML part inflated with a bound (actual size, DTD); the workbook's sheets; the sheet's
claimed and real extent and its formulas; then calamine, and per row the values, long texts
and control characters.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO, NoReturn, Union
from urllib.parse import unquote
from xml.parsers import expat

import python_calamine

__all__ = ["Limits", "Problem", "Sheet", "Upload", "read_sheet", "column_letters"]

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO]
Value = Union[str, int, float, bool, dt.date, dt.datetime, None]

_MIB = 1024 * 1024


@dataclass
class Limits:
    max_bytes: int = 10 * _MIB  # size of the upload
    max_rows: int = 20_000  # data rows (header excluded)
    max_columns: int = 100
    max_cell_chars: int = 10_000
    max_uncompressed: int = 200 * _MIB  # total of all zip members, declared and actual
    max_ratio: int = 100  # compression ratio per member (for members > 1 MiB uncompressed)
    max_entries: int = 1_000  # zip members
    max_problems: int = 200  # stop collecting cell problems after this many

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer, not {value!r}")


@dataclass
class Problem:
    code: str
    params: dict = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None  # 1-based Excel row number
    column: str | None = None  # Excel column letters, e.g. "C"
    field: str | None = None  # the header text of that column (row 1), when known
    fatal: bool = False  # the file or sheet could not be read at all

    def __str__(self) -> str:
        cell = f"{self.column or ''}{self.row or ''}"
        where = "!".join(part for part in (self.sheet, cell) if part)
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        text = f"{self.code} ({params})" if params else self.code
        return f"{where}: {text}" if where else text


@dataclass
class Sheet:
    name: str
    header: list  # values of row 1, trailing empty cells trimmed
    rows: list[tuple[int, list]]  # (Excel row number, values) of every non-blank row after row 1
    problems: list[Problem] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)


def read_sheet(
    source: Source, sheet_name: str | Sequence[str] = "Register", limits: Limits | None = None
) -> Sheet:
    """Read one sheet of an .xlsx upload: ``source`` is bytes, a path or a binary file object;
    ``sheet_name`` one name or several accepted ones (the first that exists wins), matched
    case-insensitively. Never raises for a bad file: a file or sheet that cannot be read gives
    a Sheet without header and rows and with a fatal problem."""
    return Upload(source, limits).sheet(sheet_name)


class Upload:
    """An .xlsx upload whose sheets are read one after another (:meth:`sheet`, as
    :func:`read_sheet`): the file is opened, and each of its parts checked, once for them all."""

    def __init__(self, source: Source, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._source: Source | None = source
        self._opened: tuple[_Package, _Workbook] | None = None
        self._refused: tuple[str, dict] | None = None  # why it cannot be opened

    def sheet(self, sheet_name: str | Sequence[str] = "Register") -> Sheet:
        wanted = [sheet_name] if isinstance(sheet_name, str) else list(sheet_name)
        reading = _Reading(wanted, self.limits)
        try:
            return reading.run(*self._open())
        except _Refused as refused:
            refused.problem.sheet = refused.problem.sheet or reading.sheet_name
            name = reading.sheet_name or (wanted[0] if wanted else "")
            return Sheet(name, [], [], [refused.problem], reading.sheet_names)

    def _open(self) -> tuple[_Package, _Workbook]:
        if self._refused is not None:
            code, params = self._refused
            raise _Refused(code, **params)
        if self._opened is None:
            try:
                self._opened = _open(self._source, self.limits)
            except _Refused as refused:
                self._refused = (refused.problem.code, dict(refused.problem.params))
                raise
            finally:
                self._source = None
        return self._opened


def column_letters(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- internals ----------------------------------------------------------------------------------


class _Refused(Exception):
    """Stops reading with one fatal problem."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.problem = Problem(code, dict(params), fatal=True)


def _not_xlsx(kind: str = "unknown") -> NoReturn:
    raise _Refused("not_xlsx", kind=kind)


@dataclass
class _Workbook:
    sheets: list[tuple[str, zipfile.ZipInfo | None]]  # workbook order; None: part missing
    date1904: bool
    shared_strings: zipfile.ZipInfo | None
    styles: zipfile.ZipInfo | None


class _Reading:
    """One call of read_sheet; remembers what is known so far for the fatal result."""

    def __init__(self, wanted: list[str], limits: Limits) -> None:
        self.wanted = wanted
        self.limits = limits
        self.sheet_name: str | None = None
        self.sheet_names: list[str] = []

    def run(self, package: _Package, workbook: _Workbook) -> Sheet:
        limits = self.limits
        self.sheet_names = [name for name, _ in workbook.sheets]
        chosen = _choose(workbook.sheets, self.wanted)
        if chosen is None:
            raise _Refused("missing_sheet", wanted=list(self.wanted), found=list(self.sheet_names))
        self.sheet_name, part = chosen
        if part is None:
            _not_xlsx()
        package.check_xml_parts(skip={part.filename})
        sheet_xml = package.inflate(part)
        if part.filename in package.wide:
            _not_xlsx()
        formulas = _scan_sheet(sheet_xml, limits)
        del sheet_xml  # calamine gets the compressed copy; don't hold both
        try:
            raw_rows = _calamine_rows(package.minimal_copy(part, workbook))
            bad_dates: list[tuple[int, int]] = []
        except _CalamineFailed:
            raw_rows, bad_dates = _without_bad_dates(package, part, workbook)
        return self._sheet(raw_rows, formulas, bad_dates)

    def _sheet(self, raw_rows: list[list], formulas: list[tuple[int, int]],
               bad_dates: list[tuple[int, int]]) -> Sheet:
        limits = self.limits
        name = self.sheet_name or ""
        width = len(raw_rows[0]) if raw_rows else 0
        if width > limits.max_columns and any(
            any(v != "" for v in raw[limits.max_columns :]) for raw in raw_rows
        ):
            # Defence in depth: the XML scan already refuses such sheets before calamine runs.
            raise _Refused("too_many_columns", max=limits.max_columns)

        found: list[tuple[int, int, str, dict]] = [(r, c, "formula", {}) for r, c in formulas]
        found += [(r, c, "date_out_of_range", {}) for r, c in bad_dates]
        rows, header = _normalise(raw_rows, limits, found)
        if len(rows) > limits.max_rows:
            raise _Refused("too_many_rows", max=limits.max_rows)

        found.sort(key=lambda item: (item[0], item[1]))
        problems = []
        for row, col, code, params in found[: limits.max_problems]:
            title = header[col] if col < len(header) else None
            problems.append(Problem(code, params, sheet=name, row=row, column=column_letters(col),
                                    field=None if title is None else str(title)))
        return Sheet(name, header, rows, problems, self.sheet_names)


def _open(source: Source, limits: Limits) -> tuple[_Package, _Workbook]:
    """The upload as a zip package whose structure is checked, and its workbook's sheets."""
    data = _read_source(source, limits.max_bytes)
    if data.startswith(_OLE_MAGIC):
        # A password-protected .xlsx is an OLE2 file holding the encrypted package.
        if any(marker in data for marker in _ENCRYPTION_MARKERS):
            raise _Refused("encrypted")
        _not_xlsx("xls")
    if not data.startswith(b"PK"):
        _not_xlsx(_kind(data))
    package = _Package(data, limits)
    return package, package.workbook()


def _choose(
    sheets: list[tuple[str, zipfile.ZipInfo | None]], wanted: list[str]
) -> tuple[str, zipfile.ZipInfo | None] | None:
    for want in wanted:
        for name, part in sheets:
            if name.casefold() == want.casefold():
                return name, part
    return None


# --- the upload ---------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
# Bytes that (almost) never occur in text files: C0 controls except TAB, LF, FF, CR; and DEL.
_BINARY_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])


def _read_source(source: Source, max_bytes: int) -> bytes:
    """The upload's bytes; too_large without reading more than max_bytes + 1 of it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if memoryview(source).nbytes > max_bytes:
            raise _Refused("too_large", max=max_bytes)
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if os.stat(path).st_size > max_bytes:
            raise _Refused("too_large", max=max_bytes)
        with open(path, "rb") as handle:
            return _read_bounded(handle, max_bytes)
    if callable(getattr(source, "read", None)):
        remaining = _remaining(source)
        if remaining is not None and remaining > max_bytes:
            raise _Refused("too_large", max=max_bytes)
        return _read_bounded(source, max_bytes)
    raise TypeError(f"read_sheet needs bytes, a path or a binary file, not {type(source).__name__}")


def _remaining(handle: BinaryIO) -> int | None:
    """Bytes left in a seekable file object (position restored), None when it can't tell."""
    try:
        if not handle.seekable():
            return None
        position = handle.tell()
        end = handle.seek(0, os.SEEK_END)
        handle.seek(position)
        return end - position
    except (AttributeError, OSError, ValueError):
        return None


def _read_bounded(handle: BinaryIO, max_bytes: int) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = handle.read(max_bytes + 1 - total)
        if not chunk:
            return b"".join(chunks)
        if not isinstance(chunk, (bytes, bytearray)):
            raise TypeError("read_sheet needs a file opened in binary mode")
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise _Refused("too_large", max=max_bytes)


def _kind(data: bytes) -> str:
    """What a file that is not a zip looks like: text (a CSV saved as .xlsx) or anything else."""
    sample = data[:8192]
    if sample.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv_or_text"
    if not sample or b"\x00" in sample:
        return "unknown"
    binary = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return "csv_or_text" if binary * 50 <= len(sample) else "unknown"  # <= 2 % odd bytes


# --- the zip package ----------------------------------------------------------------------------

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_WIDE_DECLARATION = re.compile(
    rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']\s*(?:utf|ucs)-?(?:16|32|2|4)""",
    re.IGNORECASE)
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<4sHHHHIIH")
# A member for _write_zip: method, CRC-32, compressed size, size, compressed bytes.
_Entry = tuple[int, int, int, int, Union[bytes, memoryview]]
# The r:id attribute of a sheet, as (namespace, name) in transitional and strict OOXML.
_RELATIONSHIP_ID = (
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id"),
    ("http://purl.oclc.org/ooxml/officeDocument/relationships", "id"),
)


class _Package:
    """The upload as a zip: structure checked on opening, members inflated with a bound."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data = data
        self.limits = limits
        # The end record's entry count, before zipfile builds an object per entry.
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
        if end >= 0 and len(data) >= end + 12:
            (declared,) = struct.unpack_from("<H", data, end + 10)
            if declared != 0xFFFF and declared > limits.max_entries:
                raise _Refused("too_many_entries")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.members = archive.infolist()
        except Exception:  # a damaged directory makes zipfile raise all kinds of errors
            _not_xlsx(_kind(data))  # "PK" was just the first two characters of a text?
        if len(self.members) > limits.max_entries:
            raise _Refused("too_many_entries")

        self.by_name: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in self.members:
            if info.flag_bits & 0x1:
                raise _Refused("encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                _not_xlsx()  # Excel only writes deflate; other codecs can't be inflated safely
            key = info.filename.lower()
            if key in self.by_name:
                _not_xlsx()  # two parts with one name: which one would a reader take?
            self.by_name[key] = info
            total += info.file_size
            if info.file_size > _MIB and info.file_size > limits.max_ratio * info.compress_size:
                raise _Refused("zip_bomb")
        if total > limits.max_uncompressed:
            raise _Refused("zip_bomb")
        self.checked: set[str] = set()
        self.wide: set[str] = set()  # parts in UTF-16/32, which calamine must not get

    def find(self, path: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(path.lower()) or self.by_name.get(unquote(path).lower())

    def raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The member's stored (compressed) bytes, located through its local header."""
        offset = info.header_offset
        if offset + 30 > len(self.data) or self.data[offset : offset + 4] != b"PK\x03\x04":
            _not_xlsx()
        name_length, extra_length = struct.unpack_from("<HH", self.data, offset + 26)
        start = offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > len(self.data):
            _not_xlsx()
        return memoryview(self.data)[start:end]

    def inflate(self, info: zipfile.ZipInfo) -> bytes:
        """The member's content; never more than its declared size is produced. An XML part is
        refused when it has a DTD (entity expansion, external entities)."""
        raw = self.raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            if len(raw) > info.file_size:
                raise _Refused("zip_bomb")
            content = bytes(raw)
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                content = inflater.decompress(raw, info.file_size + 1)
            except zlib.error:
                _not_xlsx()
            if len(content) > info.file_size:
                raise _Refused("zip_bomb")  # it inflates to more than the directory declared
            if not inflater.eof:
                _not_xlsx()  # truncated stream
        if len(content) != info.file_size:
            _not_xlsx()
        _check_xml(content)
        self.checked.add(info.filename)
        if _wide(content):
            self.wide.add(info.filename)
        return content

    def check_xml_parts(self, skip: set[str]) -> None:
        """Inflate every XML part not yet checked (actual size and DTD), keeping nothing."""
        for info in self.members:
            name = info.filename
            if name.lower().endswith(_XML_SUFFIXES) and name not in self.checked | skip:
                self.inflate(info)

    def workbook(self) -> _Workbook:
        """Sheet names and parts, following the relationships as Excel does."""
        workbook_path = "xl/workbook.xml"
        root_rels = self.find("_rels/.rels")
        if root_rels is not None:
            for rel in _relationships(self.inflate(root_rels)):
                if rel["Type"].endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    workbook_path = _resolve("", rel["Target"])
                    break
        part = self.find(workbook_path)
        if part is None:
            _not_xlsx()
        sheets_found, date1904 = _workbook_sheets(self.inflate(part))

        folder, base = posixpath.split(part.filename)
        rels_part = self.find(posixpath.join(folder, "_rels", base + ".rels"))
        rels = {} if rels_part is None else {
            rel["Id"]: rel for rel in _relationships(self.inflate(rels_part))}

        def target(rel: dict | None) -> zipfile.ZipInfo | None:
            if rel is None or rel.get("TargetMode") == "External" or not rel.get("Target"):
                return None
            return self.find(_resolve(folder, rel["Target"]))

        def by_type(suffix: str, default: str) -> zipfile.ZipInfo | None:
            for rel in rels.values():
                if rel["Type"].endswith(suffix):
                    return target(rel)
            return self.find(posixpath.join(folder, default))

        sheets = [(name, target(rels.get(rid)) if rid else None) for name, rid in sheets_found]
        return _Workbook(sheets, date1904, by_type("/sharedStrings", "sharedStrings.xml"),
                         by_type("/styles", "styles.xml"))

    def minimal_copy(self, sheet: zipfile.ZipInfo | bytes, workbook: _Workbook) -> bytes:
        """A new package for calamine: synthetic workbook with one sheet "S" plus the checked
        sheet, shared strings and styles, copied still compressed (the sheet may also be given
        as checked bytes, stored as they are)."""
        properties = '<workbookPr date1904="1"/>' if workbook.date1904 else ""
        members: list[tuple[str, zipfile.ZipInfo | bytes]] = [
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK.format(properties=properties).encode()),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        for name, info in (("xl/sharedStrings.xml", workbook.shared_strings),
                           ("xl/styles.xml", workbook.styles)):
            if info is not None:
                if info.filename not in self.checked:
                    self.inflate(info)
                if info.filename in self.wide:
                    _not_xlsx()
                members.append((name, info))
        return _write_zip([(name, self._entry(item)) for name, item in members])

    def _entry(self, item: zipfile.ZipInfo | bytes) -> _Entry:
        if isinstance(item, bytes):
            return zipfile.ZIP_STORED, zlib.crc32(item), len(item), len(item), item
        return item.compress_type, item.CRC, item.compress_size, item.file_size, self.raw(item)


def _wide(content: bytes) -> bool:
    """Whether an XML part is in UTF-16 or UTF-32: byte scans can't see its markup."""
    return (content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in content[:4]
            or _WIDE_DECLARATION.match(content, 0, 200) is not None)


def _check_xml(content: bytes) -> None:
    """Refuse a DTD (billion laughs, external entities) before any parser sees the part."""
    text = content
    if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in content[:4]:
        # Not ASCII-compatible: decode so that the markup can be seen.
        encoding = "utf-32" if content[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE) else (
            "utf-16" if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
            else "utf-16-be" if content[:1] == b"\x00" else "utf-16-le")
        text = content.decode(encoding, errors="replace").encode("utf-8")
    if b"!" in text and _DTD.search(text):  # "!" is rare in OOXML and found by memchr
        raise _Refused("xml_entities")


def _resolve(folder: str, target: str) -> str:
    """A relationship target as a part name (absolute, or relative to the source's folder)."""
    path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path)


def _parse(content: bytes, start: Callable[[str, dict[str, str]], None],
           end: Callable[[str], None] | None = None, namespaces: bool = True) -> None:
    """Run expat over a checked part; a DTD is refused again here, as a second line."""
    parser = _parser(namespaces)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    _feed(parser, content)


def _refuse_dtd(*_args: object) -> NoReturn:
    raise _Refused("xml_entities")


def _parser(namespaces: bool = True) -> expat.XMLParserType:
    """An expat parser that refuses a DTD; give it handlers, then _feed it."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def _feed(parser: expat.XMLParserType, content: bytes) -> None:
    if _wide(content):
        _not_xlsx()  # not a part for us (nor for calamine)
    try:
        parser.Parse(content, True)
    except (expat.ExpatError, LookupError, ValueError):  # LookupError: unknown encoding
        _not_xlsx()


def _relationships(content: bytes) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "Relationship":
            found.append({"Id": "", "Type": "", "Target": "", **attrs})

    _parse(content, start)
    return found


def _workbook_sheets(content: bytes) -> tuple[list[tuple[str, str | None]], bool]:
    """(name, relationship id) of each sheet, and whether dates count from 1904."""
    sheets: list[tuple[str, str | None]] = []
    date1904 = False
    roots: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal date1904
        local = name.rpartition(" ")[2]
        if not roots:
            roots.append(local)
        elif local == "sheet" and "name" in attrs:
            rid = next((value for key, value in attrs.items()
                        if key.rpartition(" ")[::2] in _RELATIONSHIP_ID), None)
            sheets.append((attrs["name"], rid))
        elif local == "workbookPr":
            date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true")

    _parse(content, start)
    if roots != ["workbook"]:
        _not_xlsx()  # e.g. a .docx: its main part is not a workbook
    return sheets, date1904


def _write_zip(members: list[tuple[str, _Entry]]) -> bytes:
    """A plain zip (no zip64, fixed 1980 timestamp) of already-compressed members."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, (method, crc, packed, size, payload) in members:
        encoded = name.encode("ascii")
        offset = out.tell()
        out.write(_LOCAL_HEADER.pack(b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, packed, size,
                                     len(encoded), 0))
        out.write(encoded)
        out.write(payload)
        central.write(_CENTRAL_HEADER.pack(b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, packed,
                                           size, len(encoded), 0, 0, 0, 0, 0, offset))
        central.write(encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                               start, 0))
    return out.getvalue()


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML_DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
).encode()
_ROOT_RELS = (
    _XML_DECLARATION
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()
_WORKBOOK = (
    _XML_DECLARATION
    + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{properties}'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    _XML_DECLARATION
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
).encode()


# --- the sheet XML ------------------------------------------------------------------------------

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension[\s/>]")
_DIMENSION_REF = re.compile(rb"[^>]{0,200}?\sref\s*=\s*[\"']([^\"']{0,50})[\"']")
# Elements that matter (cells, rows, formulas) written with a namespace prefix: unusual.
_PREFIXED = re.compile(rb":(?:c|row|f)[\s/>]")
_FORMULA = re.compile(rb"<f[\s/>]")
_CELL_START = b'<c r="'
# Letters and digits of a cell reference; longer ones than these are nothing calamine accepts.
_REF = re.compile(r"([A-Za-z]{0,10})0*([0-9]{1,15})")


@lru_cache(maxsize=16)
def _odd_cell(max_row: int, max_column: int) -> re.Pattern[bytes]:
    """A cell start tag other than the plain ``<c r="B7" s="1" t="s">`` that Excel and the
    usual libraries write with a reference inside the bounds: beyond the last allowed row or
    column, or written differently (no r, r not first, a second r, which calamine would take,
    other quoting or spacing), so that positions need the exact walk."""
    good = (b"(?:" + _letters_up_to(column_letters(max_column - 1)) + b")0*+(?:"
            + _number_up_to(str(max_row)) + b')"(?: (?:s|t|cm|vm|ph)="[^"<]*+")*+/?>')
    return re.compile(b'<c(?! r="' + good + rb")[\s/>]")


def _number_up_to(bound: str) -> bytes:
    """Regex alternatives for decimal numbers from 1 to ``bound`` (no leading zeros)."""
    size = len(bound)
    options = [f"[1-9][0-9]{{0,{size - 2}}}"] if size > 1 else []
    for i, digit in enumerate(bound):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            options.append(f"{bound[:i]}[{low}-{int(digit) - 1}][0-9]{{{size - i - 1}}}")
    options.append(bound)
    return "|".join(options).encode()


def _letters_up_to(bound: str) -> bytes:
    """Regex alternatives for column letters (any case) from A to ``bound``."""
    def either(letters: str) -> str:
        return "".join(f"[{c}{c.lower()}]" for c in letters)

    size = len(bound)
    options = [f"[A-Za-z]{{1,{size - 1}}}"] if size > 1 else []
    for i, letter in enumerate(bound):
        if letter != "A":
            before = chr(ord(letter) - 1)
            options.append(f"{either(bound[:i])}[A-{before}a-{before.lower()}]"
                           f"[A-Za-z]{{{size - i - 1}}}")
    options.append(either(bound))
    return "|".join(options).encode()


def _parse_ref(text: str | bytes) -> tuple[int, int] | None:
    """(1-based row, 1-based column, 0 when absent) of a reference like "AB12"."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    match = _REF.fullmatch(text)
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _scan_sheet(xml: bytes, limits: Limits) -> list[tuple[int, int]]:
    """Check the sheet's extent before calamine builds its dense range from the smallest to
    the largest cell (one cell at XFD1048576 would need gigabytes); return formula cells as
    (row, 0-based column)."""
    max_row = limits.max_rows + 1
    start = xml.find(b"sheetData")
    # calamine takes the first <dimension> before the cells; so does this check.
    element = _DIMENSION.search(xml, 0, len(xml) if start < 0 else start)
    claim = element and _DIMENSION_REF.match(xml, element.end() - 1)
    if claim:
        corners = [_parse_ref(corner) for corner in claim.group(1).split(b":")]
        if all(corners):
            rows = max(corner[0] for corner in corners)  # type: ignore[index]
            columns = max(corner[1] for corner in corners)  # type: ignore[index]
            if rows > max_row or columns > limits.max_columns:
                raise _Refused("dimension_too_large", rows=rows, columns=columns)

    if start < 0:
        return []  # no cells: a chart sheet or an empty sheet
    end = xml.rfind(b"sheetData")
    end = len(xml) if end == start else end
    if _PREFIXED.search(xml, start, end) or _odd_cell(max_row, limits.max_columns).search(
        xml, start, end
    ):
        return _walk_sheet(xml, limits, start, end)

    # Every cell is <c r="..."> within bounds: a formula's cell is the last cell start before it,
    # looked for back to the previous formula's cell only (else it is that same cell).
    formulas: list[tuple[int, int]] = []
    searched_from = start
    for count, match in enumerate(_FORMULA.finditer(xml, start, end)):
        if count >= limits.max_problems:
            break
        cell = xml.rfind(_CELL_START, searched_from, match.start())
        if cell >= 0:
            searched_from = at = cell + len(_CELL_START)
            ref = _parse_ref(xml[at : xml.find(b'"', at)])
            if ref and ref[1] and formulas[-1:] != [(ref[0], ref[1] - 1)]:
                formulas.append((ref[0], ref[1] - 1))
    return formulas


def _count_cell_tags(xml: bytes, start: int = 0, end: int | None = None) -> int:
    end = len(xml) if end is None else end
    return xml.count(b"<c", start, end) - xml.count(b"<co", start, end) - xml.count(
        b"<ch", start, end)  # not <col>, <color>, <condense>, <charset>


class _Stop(Exception):
    pass


def _walk_sheet(xml: bytes, limits: Limits, start: int, end: int) -> list[tuple[int, int]]:
    """The exact pass: place cells as calamine does (a cell's r wins; without it the running
    row and column; a row's r sets the row; a row's end moves on) and refuse when a cell with a
    value lies beyond the bounds. Returns formula cells like _scan_sheet.

    More row or cell elements than the bounds can hold are refused too, first on a count of the
    tags, so that this walk (a microsecond or two per element) stays short for a sheet of filler."""
    max_row, max_column, max_problems = limits.max_rows + 1, limits.max_columns, limits.max_problems
    max_cells = max_row * max_column
    cell_tags = _count_cell_tags(xml, start, end)
    row_tags = max(1, xml.count(b"<row", start, end))
    if cell_tags > max_cells or row_tags > max_row:
        raise _Refused("dimension_too_large", rows=row_tags,
                       columns=max(1, -(-cell_tags // row_tags)))  # cells per row, rounded up

    in_data = valued = False
    row = col = 0  # calamine's running position (0-based)
    cell: tuple[int, int] | None = None  # the open cell's position
    rows = columns = row_elements = cell_elements = 0  # extent (1-based) and element counts
    formulas: list[tuple[int, int]] = []

    def refuse() -> NoReturn:
        raise _Refused("dimension_too_large", rows=max(rows, row + 1),
                       columns=max(columns, col + 1))

    def position(value: str, is_cell: bool) -> tuple[int, int]:
        ref = _parse_ref(value)
        if ref is None or ref[0] < 1 or (is_cell and ref[1] < 1):
            _not_xlsx()  # calamine rejects such a reference too
        return ref[0] - 1, ref[1] - 1

    def open_element(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_data, valued, row, col, cell, row_elements, cell_elements
        if ":" in name:
            name = name.rpartition(":")[2]  # calamine ignores prefixes
        if cell is not None:  # inside a cell only its value and formula matter
            if name == "v" or name == "is":
                valued = True
            elif name == "f" and len(formulas) < max_problems and formulas[-1:] != [cell]:
                formulas.append(cell)
        elif not in_data:
            in_data = name == "sheetData"
        elif name == "c":
            cell_elements += 1
            if cell_elements > max_cells:
                refuse()
            if "r" in attrs:
                cell_row, col = position(attrs["r"], True)
                cell = (cell_row, col)
            else:
                cell = (row, col)
            valued = False
        elif name == "row":
            row_elements += 1
            if row_elements > max_row:
                refuse()
            if "r" in attrs:
                row = position(attrs["r"], False)[0]

    def close_element(name: str) -> None:
        nonlocal row, col, cell, rows, columns
        if not in_data:
            return
        if ":" in name:
            name = name.rpartition(":")[2]
        if cell is not None:
            if name == "c":
                if valued:
                    rows, columns = max(rows, cell[0] + 1), max(columns, cell[1] + 1)
                    if cell[0] + 1 > max_row or cell[1] + 1 > max_column:
                        raise _Refused("dimension_too_large", rows=rows, columns=columns)
                cell = None
                col += 1
        elif name == "row":
            row += 1
            col = 0
        elif name == "sheetData":
            raise _Stop

    try:
        _parse(xml, open_element, close_element, namespaces=False)
    except _Stop:
        pass
    return [(r + 1, c) for r, c in formulas]


# --- calamine and the values --------------------------------------------------------------------


class _CalamineFailed(Exception):
    """Calamine raised, or panicked, on the checked copy."""


def _calamine_rows(package: bytes) -> list[list]:
    """All rows from A1 (calamine fills the empty area, so list index + 1 is the Excel row)."""
    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(package)) as workbook:
            return workbook.get_sheet_by_name("S").to_python(skip_empty_area=False)
    except Exception:
        # e.g. malformed XML, an error value calamine doesn't know (#SPILL!), a duration
        # beyond Python's timedelta
        raise _CalamineFailed from None
    except BaseException as error:
        # A Rust panic surfaces as pyo3's PanicException, a BaseException: still a bad file.
        if type(error).__name__ != "PanicException":
            raise
        raise _CalamineFailed from None


# --- numbers beyond Excel's dates (only when calamine failed) -----------------------------------

# Excel's serial number of 10000-01-01, the first day after its last date, in the 1900 system;
# the 1904 system counts 1462 days less.
_EXCEL_DATE_END = 2_958_466
_DAYS_1900_TO_1904 = 1_462
# Built-in number formats that show a date, time or duration (ECMA-376 18.8.30 and the
# East Asian ones Excel adds).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
# What a format code shows literally: quoted text, and the character after \, _ (a space as
# wide as it) or * (a fill).
_FORMAT_LITERAL = re.compile(r'"[^"]*"?|[\\_*].')
_FORMAT_BRACKET = re.compile(r"\[([^\]]*)\]?")
_ELAPSED = re.compile(r"[hms]+", re.IGNORECASE)  # [h], [mm], [ss]: elapsed time
_DATE_PART = re.compile(r"[dmyhs]", re.IGNORECASE)
_TAG_NAME = re.compile(rb"<[^\s/>]+")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")


def _without_bad_dates(package: _Package, part: zipfile.ZipInfo,
                       workbook: _Workbook) -> tuple[list[list], list[tuple[int, int]]]:
    """Calamine failed on the copy. The usual cause in a good file is a number in a date cell
    beyond Excel's dates (chrono panics on it): find such cells (numbers in cells whose style
    shows a date, time or duration, below 0 or past 9999-12-31), read the sheet again with the
    style taken off just those cells, so that calamine gives their plain numbers and every
    other cell exactly as before, and return them as (row, 0-based column) to be named.
    Anything else is still not a workbook."""
    if workbook.styles is None:
        _not_xlsx()
    styles = _date_styles(package.inflate(workbook.styles))
    if not styles:
        _not_xlsx()
    sheet_xml = package.inflate(part)
    limits = package.limits
    # The scan let through any number of in-bounds cells (repeats of one, say); this walk runs
    # in Python, so keep it as short as the exact walk's (see _walk_sheet).
    if _count_cell_tags(sheet_xml) > (limits.max_rows + 1) * limits.max_columns:
        _not_xlsx()
    end = _EXCEL_DATE_END - (_DAYS_1900_TO_1904 if workbook.date1904 else 0)
    cells = _bad_date_cells(sheet_xml, styles, end)
    if not cells:
        _not_xlsx()
    cleaned = _drop_styles(sheet_xml, [offset for _, _, offset in cells])
    del sheet_xml
    try:
        raw_rows = _calamine_rows(package.minimal_copy(cleaned, workbook))
    except _CalamineFailed:
        _not_xlsx()
    return raw_rows, [(row, col) for row, col, _ in cells]


def _is_date_format(code: str) -> bool:
    """Whether a number format code shows a date, time or duration: d, m, y, h or s outside
    quotes and brackets, or an elapsed time like [h]. Generous (every section counts): a
    number format taken for a date only costs a message on a number that is no date anyway."""
    code = _FORMAT_LITERAL.sub("", code)
    if any(_ELAPSED.fullmatch(inner) for inner in _FORMAT_BRACKET.findall(code)):
        return True
    return _DATE_PART.search(_FORMAT_BRACKET.sub("", code)) is not None


def _date_styles(content: bytes) -> frozenset[int]:
    """Indices of the cell styles (cellXfs) whose number format is a date, time or duration."""
    custom: dict[str, str] = {}
    formats: list[str] = []  # numFmtId of each cell style, in order
    in_cell_styles = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_cell_styles
        local = name.rpartition(" ")[2]
        if local == "numFmt":
            custom[attrs.get("numFmtId", "").strip()] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            in_cell_styles = True
        elif local == "xf" and in_cell_styles:
            formats.append(attrs.get("numFmtId", "0").strip())

    def end(name: str) -> None:
        nonlocal in_cell_styles
        if name.rpartition(" ")[2] == "cellXfs":
            in_cell_styles = False

    _parse(content, start, end)
    return frozenset(
        index for index, number in enumerate(formats)
        if (_is_date_format(custom[number]) if number in custom
            else number.isdigit() and int(number) in _BUILTIN_DATE_FORMATS))


def _bad_date_cells(xml: bytes, styles: frozenset[int],
                    end: float) -> list[tuple[int, int, int]]:
    """(1-based row, 0-based column, offset of the <c> tag) of each cell with a number in a
    date style outside [0, end); cells placed as calamine places them (see _walk_sheet)."""
    parser = _parser(namespaces=False)
    found: list[tuple[int, int, int]] = []
    in_data = False
    row = col = 0
    cell: tuple[int, int, int] | None = None  # position and offset of an open dated cell
    in_cell = reading = False
    text: list[str] | None = None  # the dated cell's <v> text

    def position(value: str, is_cell: bool) -> tuple[int, int]:
        ref = _parse_ref(value)
        if ref is None or ref[0] < 1 or (is_cell and ref[1] < 1):
            _not_xlsx()
        return ref[0] - 1, ref[1] - 1

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_data, row, col, cell, in_cell, text, reading
        name = name.rpartition(":")[2]
        if in_cell:
            if name == "v" and cell is not None:
                text, reading = [], True
        elif not in_data:
            in_data = name == "sheetData"
        elif name == "c":
            in_cell = True
            cell_row = row
            if "r" in attrs:
                cell_row, col = position(attrs["r"], True)
            style = attrs.get("s", "").strip()
            dated = (attrs.get("t", "n").strip() == "n" and style.isdigit()
                     and int(style) in styles)
            cell = (cell_row + 1, col, parser.CurrentByteIndex) if dated else None
        elif name == "row" and "r" in attrs:
            row = position(attrs["r"], False)[0]

    def characters(data: str) -> None:
        if reading:
            text.append(data)  # type: ignore[union-attr]

    def close(name: str) -> None:
        nonlocal row, col, cell, in_cell, text, reading
        if not in_data:
            return
        name = name.rpartition(":")[2]
        if in_cell:
            if name == "v":
                reading = False
            elif name == "c":
                if cell is not None and text is not None:
                    try:
                        number = float("".join(text))
                    except ValueError:
                        number = 0.0  # not a number at all: not this problem
                    if not 0 <= number < end:  # NaN too
                        found.append(cell)
                in_cell, cell, text, reading = False, None, None, False
                col += 1
        elif name == "row":
            row += 1
            col = 0
        elif name == "sheetData":
            raise _Stop

    parser.StartElementHandler = start
    parser.EndElementHandler = close
    parser.CharacterDataHandler = characters
    try:
        _feed(parser, xml)
    except _Stop:
        pass
    return found


def _drop_styles(xml: bytes, offsets: list[int]) -> bytes:
    """The sheet with the s attribute taken off the cell start tags at these offsets."""
    pieces, done = [], 0
    for offset in sorted(offsets):
        name = _TAG_NAME.match(xml, offset)
        if name is None:
            _not_xlsx()
        at = name.end()
        while (attribute := _ATTRIBUTE.match(xml, at)) is not None:
            if attribute.group(1) == b"s":
                pieces.append(xml[done : attribute.start()])
                done = attribute.end()
            at = attribute.end()
    pieces.append(xml[done:])
    return b"".join(pieces)


# C0 controls other than TAB, LF and CR, and DEL; as bytes they are the same in UTF-8.
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEEP = frozenset({bool, int, dt.date, dt.datetime})


def _odd_value(value: object) -> Value:
    """Values other than text, numbers, dates and booleans, as the text Excel shows."""
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration ([h]:mm): hours may pass 24
        seconds = round(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if value is None or isinstance(value, (str, float)):
        return value
    return str(value)


def _normalise(raw_rows: list[list], limits: Limits,
               found: list[tuple[int, int, str, dict]]) -> tuple[list[tuple[int, list]], list]:
    """Values as str/int/float/bool/date/datetime/None, blank rows dropped, cell problems added
    to ``found``. This is the hot loop of a large import: per row one comprehension, and the
    string checks run in C over the row's joined text; per cell only when that text is suspect."""
    max_chars, cap = limits.max_cell_chars, limits.max_problems
    text, real, keep, odd = str, float, _KEEP, _odd_value
    is_text = str.__instancecheck__
    header: list = []
    rows: list[tuple[int, list]] = []
    for number, raw in enumerate(raw_rows, 1):
        values = [
            (v or None) if (kind := v.__class__) is text
            else (int(v) if v.is_integer() else v) if kind is real
            else v if kind in keep
            else odd(v)
            for v in raw
        ]
        joined = "".join(filter(is_text, raw))  # empty cells add nothing
        if joined and len(found) < cap:
            encoded = joined.encode()
            controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
            if len(joined) > max_chars or controls:
                for col, value in enumerate(values):
                    if value.__class__ is text:
                        if len(value) > max_chars:
                            found.append((number, col, "cell_too_long", {"max": max_chars}))
                        if _CONTROL_CHARACTER.search(value):
                            found.append((number, col, "control_characters", {}))
        blank = (not joined or joined.isspace()) and all(
            v is None or (v.__class__ is text and v.isspace()) for v in values)
        if number == 1:
            while values and (values[-1] is None or (values[-1].__class__ is text
                                                     and values[-1].isspace())):
                values.pop()
            header = values
        elif not blank:
            rows.append((number, values))
    return rows, header
