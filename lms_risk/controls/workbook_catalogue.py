"""Our own workbook format for a control catalogue (e.g. BIO 1.04 with BBN levels). No Flask app,
no database; the upload goes through the project's guarded reader (``lms_risk/excel/reader.py``).

Sheets (names and headers matched ignoring case and extra spaces; the template
``imports/maatregelen-template.xlsx`` has them all):

- **Raamwerk**: one field per row, the field's name in column A and its value in column B (row 1
  may be a header such as ``Veld | Waarde``). Fields: ``code`` (required; letters, digits, ``.``,
  ``-``, ``_``, at most 40), ``naam`` (required), ``name`` (English), ``versie`` (required),
  ``publicatiedatum``, ``uitgever``, ``copyright``, ``bron``.
- **Maatregelen**: one control per row. ``Referentie`` (required, unique), ``Bovenliggende
  referentie`` (a Referentie elsewhere in the sheet, or empty for a top-level control),
  ``Titel`` (required), ``Title``, ``Omschrijving``, ``Description``, ``Toetsbaar`` (ja/nee,
  empty: ja), ``BBN-niveau`` (1, 2, 3 or empty), ``Labels`` (separated by commas).
- **Koppelingen** (optional): ``Bron raamwerk`` (a framework code; empty: this one), ``Bron
  referentie``, ``Doel raamwerk``, ``Doel referentie``, ``Relatie`` (gelijk, deelverzameling,
  omvat, overlapt; or equal, subset, superset, intersect). A reference that starts with ``urn:``
  is taken as the control's urn (for a framework loaded from a CISO Assistant library).

URNs: the framework is ``urn:lms-risk:framework:<code>``, a control
``urn:lms-risk:<code>:<referentie>``, both in lower case.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..excel.reader import Limits, read_sheet
from ..excel.workbook import SheetColumn, match_columns, normalise_header
from .catalogue import (
    MAX_CATALOGUE_BYTES,
    MAX_MAPPINGS,
    MAX_NAME,
    MAX_NODES,
    MAX_TEXT,
    MAX_TITLE,
    CatalogueData,
    CatalogueError,
    ControlNode,
    FrameworkData,
    MappingData,
    Problems,
    file_where,
    joined,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FRAMEWORK_SHEET, CONTROLS_SHEET, MAPPINGS_SHEET = "Raamwerk", "Maatregelen", "Koppelingen"

# Raamwerk: field -> the names it may have in column A
FRAMEWORK_FIELDS = {
    "code": ("code",),
    "name_nl": ("naam", "naam (nl)", "name (nl)"),
    "name_en": ("name", "naam (en)", "name (en)", "english name", "engelse naam"),
    "version": ("versie", "version"),
    "published": ("publicatiedatum", "publication date", "publicatie", "datum"),
    "provider": ("uitgever", "provider", "publisher"),
    "copyright": ("copyright", "licentie", "licence", "license", "auteursrecht"),
    "source": ("bron", "source"),
}
FIELD_BY_NAME = {name: field for field, names in FRAMEWORK_FIELDS.items() for name in names}
FRAMEWORK_HEADER_WORDS = {"veld", "field", "gegeven", "sleutel", "key"}

CONTROL_COLUMNS = [
    SheetColumn("ref", "Referentie", "Reference"),
    SheetColumn("parent", "Bovenliggende referentie", "Parent reference"),
    SheetColumn("title_nl", "Titel"),
    SheetColumn("title_en", "Title"),
    SheetColumn("description_nl", "Omschrijving", "Beschrijving"),
    SheetColumn("description_en", "Description"),
    SheetColumn("assessable", "Toetsbaar", "Assessable"),
    SheetColumn("bbn", "BBN-niveau", "BBN level"),
    SheetColumn("tags", "Labels", "Tags"),
]
MAPPING_COLUMNS = [
    SheetColumn("source_fw", "Bron raamwerk", "Source framework"),
    SheetColumn("source_ref", "Bron referentie", "Source reference"),
    SheetColumn("target_fw", "Doel raamwerk", "Target framework"),
    SheetColumn("target_ref", "Doel referentie", "Target reference"),
    SheetColumn("relationship", "Relatie", "Relationship"),
]
RELATIONSHIP_WORDS = {
    "equal": "equal", "gelijk": "equal", "gelijkwaardig": "equal",
    "subset": "subset", "deelverzameling": "subset", "valt binnen": "subset",
    "superset": "superset", "omvat": "superset", "bovenverzameling": "superset",
    "intersect": "intersect", "overlapt": "intersect", "overlap": "intersect",
    "doorsnede": "intersect",
}
YES = {"ja", "j", "yes", "y", "1", "x", "waar", "true"}
NO = {"nee", "n", "no", "0", "onwaar", "false"}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._()/-]{0,59}")
BBN = re.compile(r"(?:bbn\s*-?\s*)?([123])", re.IGNORECASE)


def framework_urn(code: str) -> str:
    return f"urn:lms-risk:framework:{code.lower()}"


def control_urn(code: str, ref: str) -> str:
    return f"urn:lms-risk:{code.lower()}:{ref.lower()}"


def read_workbook_catalogue(filename: str, data: bytes) -> CatalogueData:
    return _Workbook(filename, data).read()


# --- where --------------------------------------------------------------------------------------


def cell_where(sheet: str, row: int | None = None, column: str | None = None,
               header: str | None = None):
    parts = [_l("blad %(sheet)s", sheet=sheet)]
    if row:
        parts.append(_l("rij %(row)s", row=row))
    if column:
        col = _l("kolom %(col)s", col=column)
        parts.append(LazyString(lambda: f"{col} ({header})") if header else col)
    elif header:
        parts.append(_l("veld %(field)s", field=header))
    return joined(*parts)


def _reader_message(problem, limits):
    from ..core.workbook import reader_message  # translates the reader's codes

    return LazyString(lambda: reader_message(problem, limits))


def _letter(index: int) -> str:
    from ..excel.reader import column_letters

    return column_letters(index)


# --- cells --------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


class _Workbook:
    def __init__(self, filename: str, data: bytes) -> None:
        self.filename = filename
        self.data = data
        self.limits = Limits(max_bytes=MAX_CATALOGUE_BYTES, max_rows=max(MAX_NODES, MAX_MAPPINGS),
                             max_columns=60, max_cell_chars=MAX_TEXT)
        self.problems = Problems()
        # urns of the references on the Maatregelen sheet, set by ``controls`` even when some of
        # its rows have problems (the Koppelingen check must not add false ones); None when the
        # sheet could not be read at all.
        self.sheet_urns: set[str] | None = None

    def sheet(self, name: str, required: bool):
        sheet = read_sheet(self.data, name, self.limits)
        fatal = [p for p in sheet.problems if p.fatal]
        if fatal:
            problem = fatal[0]
            if problem.code == "missing_sheet":
                if not required:
                    return None
                raise CatalogueError([(joined(file_where(self.filename)), _l(
                    "het blad %(sheet)s ontbreekt; gebruik het sjabloon "
                    "maatregelen-template.xlsx (gevonden bladen: %(found)s)", sheet=name,
                    found=", ".join(sheet.sheet_names) or "-"))])
            where = cell_where(problem.sheet, problem.row, problem.column, problem.field) \
                if problem.sheet else file_where(self.filename)
            raise CatalogueError([(where, _reader_message(problem, self.limits))])
        for problem in sheet.problems:
            self.problems.add(cell_where(sheet.name, problem.row, problem.column, problem.field),
                              _reader_message(problem, self.limits))
        return sheet

    def read(self) -> CatalogueData:
        framework_sheet = self.sheet(FRAMEWORK_SHEET, required=True)
        controls_sheet = self.sheet(CONTROLS_SHEET, required=True)
        mappings_sheet = self.sheet(MAPPINGS_SHEET, required=False)
        meta = self.framework_fields(framework_sheet)
        code = meta.get("code") or ""
        controls = self.controls(controls_sheet, code)
        mappings = self.mappings(mappings_sheet, code) if mappings_sheet else []
        self.problems.raise_if_any()
        framework = FrameworkData(
            urn=framework_urn(code), code=code, name_nl=meta["name_nl"],
            name_en=meta.get("name_en", ""), version=meta["version"],
            published=meta.get("published"), provider=meta.get("provider", ""),
            copyright=meta.get("copyright", ""), source=meta.get("source") or self.filename,
            controls=tuple(controls))
        return CatalogueData(frameworks=(framework,), mappings=tuple(mappings),
                             source_name=self.filename, warnings=tuple(self.problems.warnings))

    # Raamwerk

    def framework_fields(self, sheet) -> dict:
        problems, name = self.problems, sheet.name
        rows = list(sheet.rows)
        header = sheet.header
        first = normalise_header(header[0]) if header else ""
        if first in FIELD_BY_NAME:  # no header row: row 1 is a field too
            rows.insert(0, (1, list(header)))
        elif header and first not in FRAMEWORK_HEADER_WORDS:
            problems.add(cell_where(name, 1, "A"), _l(
                "onbekend veld %(field)s; bekend zijn: %(known)s", field=_text(header[0])[:100],
                known="code, naam, name, versie, publicatiedatum, uitgever, copyright, bron"))
        meta: dict = {}
        seen_rows: dict[str, int] = {}
        for number, values in rows:
            key = normalise_header(values[0] if values else "")
            value = values[1] if len(values) > 1 else None
            if not key:
                if value not in (None, ""):
                    problems.add(cell_where(name, number, "A"), _l(
                        "vul in kolom A de naam van het veld in"))
                continue
            field = FIELD_BY_NAME.get(key)
            if field is None:
                problems.add(cell_where(name, number, "A"), _l(
                    "onbekend veld %(field)s; bekend zijn: %(known)s", field=_text(values[0])[:100],
                    known="code, naam, name, versie, publicatiedatum, uitgever, copyright, bron"))
                continue
            where = cell_where(name, number, "B", _text(values[0]))
            if field in seen_rows:
                problems.add(where, _l("dit veld staat ook al in rij %(row)s",
                                       row=seen_rows[field]))
                continue
            seen_rows[field] = number
            if field == "published":
                meta[field] = self.date(where, value)
            else:
                meta[field] = _text(value)
        for field, label in (("code", "code"), ("name_nl", "naam"), ("version", "versie")):
            if not meta.get(field):
                row = seen_rows.get(field)
                problems.add(cell_where(name, row, "B" if row else None, label),
                             _l("%(field)s is verplicht", field=label))
        code = meta.get("code")
        if code and not CODE.fullmatch(code):
            problems.add(cell_where(name, seen_rows["code"], "B", "code"), _l(
                "de code %(value)s mag alleen letters, cijfers, punt, streepje en liggend "
                "streepje bevatten (hoogstens 40 tekens)", value=code[:60]))
            meta["code"] = ""
        for field, limit in (("name_nl", MAX_NAME), ("name_en", MAX_NAME), ("version", 50),
                             ("provider", MAX_NAME), ("source", MAX_NAME)):
            if len(meta.get(field) or "") > limit:
                problems.add(cell_where(name, seen_rows[field], "B"),
                             _l("te lang (maximaal %(max)s tekens)", max=limit))
        return meta

    def date(self, where, value) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            text = value.strip()
            for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
                try:
                    return datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
        self.problems.add(where, _l("%(value)s is geen datum; vul een datum in (dd-mm-jjjj)",
                                    value=_text(value)[:50]))
        return None

    # Maatregelen

    def columns(self, sheet, specs, required: tuple[str, ...]) -> dict[str, int] | None:
        found, unknown, repeated = match_columns(sheet.header, specs)
        problems, name = self.problems, sheet.name
        for index in repeated:
            problems.add(cell_where(name, 1, _letter(index), _text(sheet.header[index])),
                         _l("deze kolom staat er twee keer in"))
        for index in unknown:
            problems.warn(cell_where(name, 1, _letter(index), _text(sheet.header[index])),
                          _l("onbekende kolom; genegeerd"))
        by_key = {column.key: index for index, column in found.items()}
        missing = [spec.header for spec in specs if spec.key in required and spec.key not in by_key]
        for header in missing:
            problems.add(cell_where(name, header=header), _l("de kolom %(header)s ontbreekt",
                                                             header=header))
        return None if missing or repeated else by_key

    def controls(self, sheet, code: str) -> list[ControlNode]:
        problems, name = self.problems, sheet.name
        index = self.columns(sheet, CONTROL_COLUMNS, ("ref", "title_nl"))
        if index is None:
            return []
        header = {column.key: column.header for column in CONTROL_COLUMNS}

        def cell(values, key):
            position = index.get(key)
            return None if position is None or position >= len(values) else values[position]

        def where(number, key):
            position = index.get(key)
            return cell_where(name, number, None if position is None else _letter(position),
                              _text(sheet.header[position]) if position is not None
                              else header[key])

        rows: list[dict] = []
        refs: dict[str, int] = {}
        self.sheet_urns = {control_urn(code, _text(values[index["ref"]]))
                           for _number, values in sheet.rows
                           if index["ref"] < len(values) and _text(values[index["ref"]])}
        for number, values in sheet.rows:
            ref = self.reference(where(number, "ref"), cell(values, "ref"), required=True)
            if ref:
                folded = ref.casefold()
                if folded in refs:
                    problems.add(where(number, "ref"), _l(
                        "de referentie %(ref)s staat ook al in rij %(row)s", ref=ref,
                        row=refs[folded]))
                    ref = ""
                else:
                    refs[folded] = number
            parent = self.reference(where(number, "parent"), cell(values, "parent"))
            title_nl = _text(cell(values, "title_nl"))
            if not title_nl:
                problems.add(where(number, "title_nl"), _l("de titel is verplicht"))
            for key in ("title_nl", "title_en"):
                if len(_text(cell(values, key))) > MAX_TITLE:
                    problems.add(where(number, key), _l("te lang (maximaal %(max)s tekens)",
                                                        max=MAX_TITLE))
            assessable = self.yes_no(where(number, "assessable"), cell(values, "assessable"))
            bbn = self.bbn(where(number, "bbn"), cell(values, "bbn"))
            tags = self.tags(where(number, "tags"), cell(values, "tags"))
            rows.append(dict(number=number, ref=ref, parent=parent, title_nl=title_nl,
                             title_en=_text(cell(values, "title_en")),
                             description_nl=_text(cell(values, "description_nl")),
                             description_en=_text(cell(values, "description_en")),
                             assessable=assessable, bbn=bbn, tags=tags,
                             where=lambda n=number: where(n, "parent")))
        if not rows:
            problems.add(cell_where(name), _l("het blad bevat geen maatregelen"))
        if problems:
            return []
        by_ref = {row["ref"].casefold(): row for row in rows}
        for row in rows:
            if row["parent"] and row["parent"].casefold() not in by_ref:
                problems.add(row["where"](), _l(
                    "de bovenliggende referentie %(ref)s staat niet in de kolom Referentie",
                    ref=row["parent"]))
            elif row["parent"] and row["parent"].casefold() == row["ref"].casefold():
                problems.add(row["where"](), _l("een maatregel kan niet zijn eigen "
                                                "bovenliggende maatregel zijn"))
        if problems:
            return []
        depth: dict[str, int] = {}
        for row in rows:
            chain, current = [], row["ref"].casefold()
            while current is not None and current not in depth:
                if current in chain:
                    problems.add(row["where"](), _l(
                        "de bovenliggende referenties vormen een kring (via %(ref)s)",
                        ref=by_ref[current]["ref"]))
                    return []
                chain.append(current)
                parent = by_ref[current]["parent"]
                current = parent.casefold() if parent else None
            level = depth[current] if current is not None else 0
            for ref in reversed(chain):
                level += 1
                depth[ref] = level
        return [ControlNode(
            urn=control_urn(code, row["ref"]), ref_id=row["ref"],
            parent_urn=control_urn(code, by_ref[row["parent"].casefold()]["ref"])
            if row["parent"] else None,
            order=order, depth=depth[row["ref"].casefold()], title_nl=row["title_nl"],
            title_en=row["title_en"], description_nl=row["description_nl"],
            description_en=row["description_en"], assessable=row["assessable"],
            bbn_level=row["bbn"], tags=row["tags"]) for order, row in enumerate(rows, 1)]

    def reference(self, where, value, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                self.problems.add(where, _l("de referentie is verplicht"))
            return ""
        if isinstance(value, float) and not value.is_integer():
            self.problems.add(where, _l(
                "de referentie %(value)s is als getal ingevuld; maak de kolom tekst, anders "
                "gaan nullen verloren (5.10 wordt 5.1)", value=_text(value)))
            return ""
        text = _text(value)
        if not REF.fullmatch(text):
            self.problems.add(where, _l(
                "de referentie %(value)s mag alleen letters, cijfers en . - _ ( ) / bevatten "
                "(hoogstens 60 tekens)", value=text[:80]))
            return ""
        return text

    def yes_no(self, where, value) -> bool:
        if value is None or value == "":
            return True
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if text in YES:
            return True
        if text in NO:
            return False
        self.problems.add(where, _l("vul ja of nee in, niet %(value)s", value=_text(value)[:50]))
        return True

    def bbn(self, where, value) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, 2, 3):
            return int(value)
        match = BBN.fullmatch(_text(value)) if isinstance(value, str) else None
        if match:
            return int(match.group(1))
        self.problems.add(where, _l("het BBN-niveau moet 1, 2 of 3 zijn (of leeg), niet "
                                    "%(value)s", value=_text(value)[:50]))
        return None

    def tags(self, where, value) -> tuple[str, ...]:
        tags: list[str] = []
        for part in _text(value).split(","):
            tag = " ".join(part.split())
            if not tag:
                continue
            if len(tag) > 50:
                self.problems.add(where, _l("een label is hoogstens %(max)s tekens", max=50))
                return ()
            if tag.casefold() not in (t.casefold() for t in tags):
                tags.append(tag)
        return tuple(tags)

    # Koppelingen

    def mappings(self, sheet, code: str) -> list[MappingData]:
        problems, name = self.problems, sheet.name
        index = self.columns(sheet, MAPPING_COLUMNS,
                             ("source_ref", "target_fw", "target_ref", "relationship"))
        if index is None:
            return []
        own = self.sheet_urns
        result: dict[tuple[str, str], tuple[MappingData, int]] = {}

        def cell(values, key):
            position = index.get(key)
            return None if position is None or position >= len(values) else values[position]

        def where(number, key):
            position = index.get(key)
            return cell_where(name, number, None if position is None else _letter(position),
                              _text(sheet.header[position]) if position is not None else None)

        for number, values in sheet.rows:
            urns = []
            for fw_key, ref_key in (("source_fw", "source_ref"), ("target_fw", "target_ref")):
                raw_ref = cell(values, ref_key)
                if isinstance(raw_ref, str) and raw_ref.strip().lower().startswith("urn:"):
                    urn = raw_ref.strip().lower()
                    if len(urn) > 500 or any(c.isspace() for c in urn):
                        problems.add(where(number, ref_key), _l("dit is geen geldige urn"))
                        urn = ""
                    urns.append(urn)
                    continue
                framework = _text(cell(values, fw_key)) or (code if fw_key == "source_fw" else "")
                if not framework:
                    problems.add(where(number, fw_key), _l("vul de code van het raamwerk in"))
                    urns.append("")
                    continue
                if not CODE.fullmatch(framework):
                    problems.add(where(number, fw_key), _l(
                        "%(value)s is geen code van een raamwerk", value=framework[:60]))
                    urns.append("")
                    continue
                ref = self.reference(where(number, ref_key), raw_ref, required=True)
                urn = control_urn(framework, ref) if ref else ""
                if urn and framework.lower() == code.lower() and own is not None \
                        and urn not in own:
                    problems.add(where(number, ref_key), _l(
                        "de referentie %(ref)s staat niet op het blad Maatregelen", ref=ref))
                    urn = ""
                urns.append(urn)
            word = " ".join(_text(cell(values, "relationship")).casefold().split())
            relationship = RELATIONSHIP_WORDS.get(word)
            if relationship is None:
                problems.add(where(number, "relationship"), _l(
                    "de relatie moet gelijk, deelverzameling, omvat of overlapt zijn, niet "
                    "%(value)s", value=_text(cell(values, "relationship"))[:50] or "-"))
                continue
            source, target = urns
            if not source or not target:
                continue
            if source == target:
                problems.add(where(number, "target_ref"), _l(
                    "een maatregel kan niet aan zichzelf gekoppeld worden"))
                continue
            previous = result.get((source, target))
            if previous and previous[0].relationship != relationship:
                problems.add(where(number, "relationship"), _l(
                    "deze koppeling staat ook al in rij %(row)s, met een andere relatie",
                    row=previous[1]))
                continue
            result.setdefault((source, target), (MappingData(source, target, relationship),
                                                 number))
        return [mapping for mapping, _number in result.values()]
