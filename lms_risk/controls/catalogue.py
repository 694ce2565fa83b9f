"""Control catalogues as plain data, read from an upload. No Flask app, no database.

``read_catalogue(filename, data)`` reads either format and returns a :class:`CatalogueData`:

- CISO Assistant's YAML library format (``yaml_library.py``): frameworks with their requirement
  nodes, and requirement mapping sets;
- our own workbook format (``workbook_catalogue.py``): sheets Raamwerk, Maatregelen and,
  optionally, Koppelingen.

Which reader runs depends on the content, not on the name: a zip (or an old OLE2 Excel file)
goes to the workbook reader, anything else to the YAML reader; the name only decides which
message a file that is neither gets.

Lengths the readers guarantee (for the columns that store them): urns at most 500 characters,
``ref_id`` 100, framework ``code`` 50, ``version`` 50, ``source`` 500, names and provider
``MAX_NAME`` (300), titles ``MAX_TITLE`` (500), descriptions and copyright ``MAX_TEXT``
(20,000), a tag 100.

A file that cannot be read raises :class:`CatalogueError`, never anything else. Its ``problems``
are ``(where, message)`` pairs of lazy strings (flask_babel's ``lazy_gettext``): Dutch msgids that
turn into the reader's language when ``str()`` is called on them inside a request, and stay Dutch
outside one (the CLI). ``CatalogueData.warnings`` holds the same pairs for what was ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

MAX_CATALOGUE_BYTES = 10 * 1024 * 1024  # size of the upload
MAX_NODES = 20_000  # controls (requirement nodes) in one file, all frameworks together
MAX_MAPPINGS = 50_000  # mappings in one file
MAX_PROBLEMS = 200  # stop collecting after this many
MAX_TEXT = 20_000  # characters of a description or copyright note
MAX_TITLE = 500  # characters of a control's title (a longer YAML name is shortened)
MAX_NAME = 300  # characters of a framework's name, version note or provider
RELATIONSHIPS = ("equal", "subset", "superset", "intersect")
BBN_LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class ControlNode:
    urn: str  # stable key: YAML node urn; workbook: "urn:lms-risk:<framework code>:<ref>"
    ref_id: str | None  # "5.30.01", "21(2)(c)"; None if the YAML node has none
    parent_urn: str | None
    order: int  # position in the file, 1-based within its framework
    depth: int  # 1 for a top-level node
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    assessable: bool
    bbn_level: int | None  # 1-3, BIO 1.04 only
    tags: tuple[str, ...]  # e.g. implementation_groups or BIO2 basishygiëne/ketenhygiëne/...


@dataclass(frozen=True)
class FrameworkData:
    urn: str
    code: str
    name_nl: str
    name_en: str
    version: str
    published: date | None
    provider: str
    copyright: str
    source: str
    controls: tuple[ControlNode, ...]


@dataclass(frozen=True)
class MappingData:
    source_urn: str
    target_urn: str
    relationship: str  # equal | subset | superset | intersect


@dataclass(frozen=True)
class CatalogueData:
    frameworks: tuple[FrameworkData, ...]
    mappings: tuple[MappingData, ...]
    source_name: str
    # What was read but ignored (e.g. a key this reader does not know inside a node), as
    # (where, message) pairs like CatalogueError.problems; for the preview.
    warnings: tuple[tuple[str, str], ...] = ()


class CatalogueError(Exception):
    """The file cannot be read. ``problems``: list of (where, message), both lazy strings that
    are user-facing in the reader's language once turned into ``str``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{where}: {message}" for where, message in self.problems))


def read_catalogue(filename: str, data: bytes) -> CatalogueData:
    """Read a catalogue upload (.yaml/.yml or .xlsx), decided by its content."""
    from . import workbook_catalogue, yaml_library

    name = filename or ""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("read_catalogue needs the file's bytes")
    data = bytes(data)
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueError([(file_where(name), _l(
            "het bestand is te groot (maximaal %(max)s MB)", max=MAX_CATALOGUE_BYTES // 2**20))])
    if not data.strip():
        raise CatalogueError([(file_where(name), _l("het bestand is leeg"))])
    if data.startswith((b"PK", workbook_catalogue.OLE_MAGIC)):
        return workbook_catalogue.read_workbook_catalogue(name, data)
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return workbook_catalogue.read_workbook_catalogue(name, data)  # it names what it is
    return yaml_library.read_yaml_library(name, data)


# --- helpers shared by both readers ---------------------------------------------------------------


def joined(*parts) -> LazyString:
    """Lazy ", "-joined text of lazy or plain parts (empty parts left out)."""
    return LazyString(lambda: ", ".join(str(part) for part in parts if part not in (None, "")))


def file_where(filename: str):
    return _l("bestand %(name)s", name=filename) if filename else _l("het bestand")


class Problems:
    """Collects (where, message) pairs; raises once too many were found."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []

    def add(self, where, message) -> None:
        self.items.append((where, message))
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(("", _l("te veel fouten; de rest van het bestand is niet bekeken")))
            raise CatalogueError(self.items)

    def warn(self, where, message) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append((where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CatalogueError(self.items)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rsplit(None, 1)[0] if " " in head else head
    return cut.rstrip(" ,;:") + "…"


def short_title(text: str, limit: int = 120) -> str:
    """A title for a node that has only a description: its first line, shortened."""
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return shorten(line, limit)
