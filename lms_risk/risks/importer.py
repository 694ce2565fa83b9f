"""Importing the Register sheet: check every cell, plan, and only then write.

:func:`plan_register` checks the whole sheet and compares each row with the database; it writes
nothing. The plan's ``apply`` writes it in the caller's transaction: new risks in bulk, changed
risks through ``update_risk`` (history with reason ``import <file>``). Columns and their parsers
come from the field specification (``columns.py``)."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..core.fields import Field
from ..core.rows import CHUNK, rows_among
from ..core.workbook import message
from ..excel.reader import column_letters as column_letter
from ..excel.workbook import Change, Conflict, SheetPlan, match_columns
from ..extensions import db
from .citations import RATIONALE, citation_check
from .columns import register_columns, unknown_discipline
from .fields import IMPACT_FIELDS, RISK_FIELDS, ImpactData, RiskData
from .models import DisciplineImpact, Risk, risk_meldkamer, risk_voorziening
from .permissions import can_score
from .scoring import IMPACT_DERIVED, RISK_DERIVED
from .services import (
    base_snapshot,
    bulk_create_risks,
    bulk_update_risks,
    denied_fields,
    merge_keys,
    validate,
)

SHEET = "Register"
SHEET_NAMES = ("Register", "Risicoregister", "Risk register")
KEY_FIELDS = ("code", "version")  # identify the row; never a change in themselves
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$")


def plan_register(sheet, context: dict) -> SheetPlan:
    """Check every row of ``sheet`` against the register. Nothing is written."""
    user, refs, filename = context["user"], context["refs"], context["filename"]
    name = sheet.name or SHEET
    plan = SheetPlan(sheet=name)

    def msg(text, **where):
        return message(text, sheet=name, **where)

    columns = register_columns([d.code for d in sorted(refs.disciplines.all, key=lambda d: d.id)],
                               refs)
    found, unknown, repeated = match_columns(sheet.header, columns)
    for index in unknown:
        header = str(sheet.header[index])
        code = unknown_discipline(header)
        if code:
            plan.errors.append(msg(_("onbekende discipline %(code)s", code=code), row=1,
                                   column=column_letter(index), header=header))
        else:
            plan.warnings.append(msg(_("onbekende kolom, genegeerd"), row=1,
                                     column=column_letter(index), header=header))
    for index in repeated:
        plan.errors.append(msg(_("kolom komt twee keer voor"), row=1, column=column_letter(index),
                               header=str(sheet.header[index])))
    seen_keys = {column.key: index for index, column in found.items()}
    mapping = {index: column for index, column in found.items()
               if column.editable or column.key == "version"}
    if "code" not in seen_keys:
        plan.errors.append(msg(_("de kolom Code ontbreekt"), row=1))
        return plan
    code_parser = Field("code", "", "Code", "Code", max_length=20).parser(refs)  # trimmed text
    version_parser = _version_parser(refs)
    parsers = {index: (code_parser if column.key == "code" else version_parser
                       if column.key == "version" else column.parser)
               for index, column in mapping.items()}
    headers = {c.key: c.header for c in columns}
    code_column = column_letter(seen_keys["code"])
    rows = []
    codes_seen: dict[str, int] = {}
    width = max(mapping) + 1
    sheet_rows = [(number, values if len(values) >= width else
                   values + [None] * (width - len(values))) for number, values in sheet.rows]
    keys = [column.key for column in mapping.values()]
    # Column by column: each distinct cell of a column that repeats a handful of values (scores,
    # ja/nee, codes, dates) is parsed once. A cell that does not parse sends its row to the
    # cell-by-cell pass below, which names every such cell of the row.
    columns_parsed, refused = [], set()
    for index, key in zip(mapping, keys):
        parse = parsers[index]
        cells = [values[index] for _number, values in sheet_rows]
        if key not in KEY_FIELDS and _field_of(key).kind in _REPEATING:
            typed = list(zip(map(type, cells), cells))  # 1 is not True, nor 1.0
            table = {cell: _parsed_or_refused(parse, cell[1]) for cell in set(typed)}
            parsed_cells = list(map(table.__getitem__, typed))
            any_refused = _REFUSED in table.values()  # (identity first: never another value)
        else:
            try:  # the usual column: every cell parses
                parsed_cells, any_refused = [parse(cell) for cell in cells], False
            except ValueError:
                parsed_cells, any_refused = [_parsed_or_refused(parse, cell) for cell in cells], True
        if any_refused:
            refused.update(at for at, value in enumerate(parsed_cells) if value is _REFUSED)
        columns_parsed.append(parsed_cells)
    for at, ((number, values), row_parsed) in enumerate(zip(sheet_rows, zip(*columns_parsed))):
        ok = True
        if at not in refused:  # the usual row: every cell parses
            parsed = dict(zip(keys, row_parsed))
        else:  # again, cell by cell, naming each one that does not
            parsed = {}
            for index, column in mapping.items():
                value = values[index]
                try:
                    parsed[column.key] = parsers[index](value)
                except ValueError as error:
                    ok = False
                    plan.errors.append(msg(str(error), row=number, column=column_letter(index),
                                           header=column.header, value=value))
        code = parsed.get("code") or ""
        if not code:
            plan.errors.append(msg(_("vul een code in, bijvoorbeeld R-1001"), row=number,
                                   column=code_column, header="Code"))
            continue
        if not CODE.match(code):
            plan.errors.append(msg(_("ongeldige code"), row=number, column=code_column,
                                   header="Code", value=code))
            continue
        if code in codes_seen:
            plan.errors.append(msg(_("code %(code)s staat ook in rij %(row)s", code=code,
                                     row=codes_seen[code]), row=number, column=code_column,
                                   header="Code"))
            continue
        codes_seen[code] = number
        if ok:
            rows.append((number, code, parsed))

    creates, updates = [], []
    scores_all = all(can_score(user, d.id) for d in refs.disciplines.all)
    current = _current_values([code for _, code, _ in rows], refs)
    # The form's rule on citations, resolved once for the whole sheet. It refuses only a
    # rationale that changes, so only those are scanned and checked: {code: changed texts}.
    rationale_keys = [key for key in keys if key.endswith(RATIONALE)]
    edited = {}
    for _number, code, parsed in rows:
        stored = current.get(code) or {}
        texts = [text for key in rationale_keys
                 if (text := parsed.get(key)) and text != (stored.get(key) or "")]
        if texts:
            edited[code] = texts
    check_citations = citation_check(
        (current[code]["id"] if code in current else None, texts) for code, texts in edited.items())
    defaults = _defaults(refs)
    list_keys = [key for key, value in defaults.items() if isinstance(value, list)]
    impact_keys = _impact_names(refs)
    compare_keys = None  # the keys a row may change, in the order of the register's values
    for number, code, parsed in rows:
        existing = current.get(code)
        if existing is None:
            merged = dict(defaults)
            merged.update((key, []) for key in list_keys)  # no list shared between rows
            merged.update(parsed)
            merged.pop("version", None)
        else:
            merged = dict(existing)
            merged.update(parsed)
            merged["version"] = existing["version"]
        if merged["status"] is None:
            if existing:
                plan.errors.append(msg(_("vul een status in"), row=number,
                                       column=_letter(seen_keys, "status"), header="Status"))
                continue
            merged["status"] = "concept"
        version = parsed.get("version")
        if existing is not None and version is not None and version < existing["version"]:
            # Field-level merge, as the form does: the row conflicts only on cells someone
            # else changed since its version; cells only they changed keep their value.
            mine = {k: _snap(k, merged[k]) for k in merged if k in parsed
                    and k not in KEY_FIELDS and _differs(k, existing, merged)}
            now = {k: _snap(k, existing[k]) for k in existing if k not in ("id", "version")}
            base = base_snapshot(code, version, existing["version"], now)
            conflicts, theirs = merge_keys(mine, base, now)
            if conflicts:
                plan.conflicts.append(Conflict(number, code, version, existing["version"]))
                continue
            merged.update({k: existing[k] for k in theirs})
            version = existing["version"]
        data = _risk_data(merged, refs, impact_keys)
        problems = validate(data, refs, cleaned=True)  # parsed cells, values as stored
        if code in edited:
            problems.update(check_citations(existing and existing["id"], existing or {}, merged))
        row_errors = [msg(problem, row=number, column=_letter(seen_keys, key),
                          header=headers.get(key, key), value=merged.get(key))
                      for key, problem in problems.items()]
        # Another discipline's impact: every changed cell is named, with the row's other errors.
        # (Someone who may score every discipline cannot be refused: nothing to compare.)
        before = ({k: _snap(k, existing[k]) for k in existing if k not in ("id", "version")}
                  if existing and not scores_all else {})
        after = {} if scores_all else {
            k: _snap(k, merged[k]) for k in merged if k in parsed and k not in KEY_FIELDS and "." in k}
        for code_, keys in sorted(denied_fields(user, before, after, refs).items()):
            for key in keys:
                row_errors.append(msg(
                    _("u mag alleen de impact van uw eigen discipline wijzigen, niet van "
                      "%(code)s", code=code_), row=number, column=_letter(seen_keys, key),
                    header=headers.get(key, key), value=merged.get(key)))
        if row_errors:
            plan.errors.extend(row_errors)
            continue
        if existing is None:
            plan.new.append(Change(number, code, data.title))
            creates.append((code, data))
            continue
        if compare_keys is None:  # every row has the same keys
            compare_keys = [key for key in merged if key in parsed and key not in KEY_FIELDS]
        changed = [key for key in compare_keys
                   if merged[key] != existing[key] and _differs(key, existing, merged)]
        if not changed:
            # Nothing would be written, so nothing can be lost: unchanged whatever the version
            # (importing the same file twice is a no-op the second time).
            plan.unchanged += 1
            continue
        if version is None or version < existing["version"]:
            plan.conflicts.append(Conflict(number, code, version, existing["version"]))
            continue
        if version > existing["version"]:
            plan.errors.append(msg(
                _("versie %(v)s is nieuwer dan de versie in het register (%(db)s)", v=version,
                  db=existing["version"]), row=number, column=_letter(seen_keys, "version"),
                header="Versie"))
            continue
        plan.changed.append(Change(number, code, merged["title"], [
            (headers[key], _show(key, existing[key], refs), _show(key, merged[key], refs))
            for key in changed]))
        existing["code"] = code  # the plan's own copy of the register's values
        updates.append((existing, data, changed))

    def apply() -> None:
        reason = f"import {filename}"
        bulk_create_risks(creates, user, reason=reason, refs=refs, validated=True)
        bulk_update_risks(updates, user, reason=reason, refs=refs, checked=True)

    plan.apply = apply
    return plan


# Field kinds whose columns repeat a handful of values (scores, ja/nee, codes, dates) and whose
# parsed values are immutable: each distinct cell is parsed once per sheet (and shared by its rows).
_REPEATING = frozenset(("int", "bool", "choice", "ref", "date"))


def _field_of(key: str):
    prefix, _dot, name = key.rpartition(".")
    return (IMPACT_FIELDS if prefix else RISK_FIELDS)[name]


_REFUSED = object()  # a cell that its parser refused


def _parsed_or_refused(parse, cell):
    try:
        return parse(cell)
    except ValueError:
        return _REFUSED


MAX_VERSION = 2 ** 31 - 1  # the version column's integer


def _version_parser(refs):
    """A whole number a risk's version can be (1 …); a huge or negative one is refused on its
    cell rather than reaching the database (an overflow) or the merge (a range of that size)."""
    parse = Field("version", "", "Versie", "Version", kind="int").parser(refs)

    def version(value):
        number = parse(value)
        if number is not None and not 1 <= number <= MAX_VERSION:
            raise ValueError(_("geen geldige versie"))
        return number
    return version


def _letter(seen_keys: dict, key: str) -> str | None:
    index = seen_keys.get(key)
    return column_letter(index) if index is not None else None


def _defaults(refs) -> dict:
    values = {f.name: f.empty() for f in RISK_FIELDS}
    values["status"] = "concept"
    for d in refs.disciplines.all:
        values.update({f"{d.code}.{f.name}": f.empty() for f in IMPACT_FIELDS})
    return values


def _impact_keys(refs) -> dict[int, list[tuple[str, str, object]]]:
    """{discipline id: [(column key "AMB.applies", model attribute, empty value)]}."""
    return {d.id: [(f"{d.code}.{f.name}", f.attr, f.empty()) for f in IMPACT_FIELDS]
            for d in refs.disciplines.all}


def _current_values(codes: list[str], refs) -> dict[str, dict]:
    """The register's values for these codes, keyed like the columns: plain rows, one query per
    table (or per table and 900 codes, when they are a few among many), values as the field
    specification gives them (codes, not ids), archived risks included. Every dict has the same
    keys in the same order: id, version, meldkamers, voorzieningen, the risk's fields,
    then each discipline's impact fields; and, for the update, the derived columns as stored
    (``_risk``: {column: value}, ``_impacts``: {discipline code: (value, …)} in the order of
    ``IMPACT_DERIVED``)."""
    found: dict[str, dict] = {}
    plain = [f for f in RISK_FIELDS if f.kind != "refs"]
    table = Risk.__table__
    columns = [table.c.id, table.c.code, table.c.version] + [table.c[f.attr] for f in plain]
    names = [f.name for f in plain]
    derived_at = len(columns)  # the derived columns, so that the update writes what differs
    columns += [table.c[name] for name in RISK_DERIVED]
    # A reference field's column holds an id; the import compares codes.
    code_of = {f.name: {i: item.code for i, item in
                        (refs.level_by_id if f.ref == "levels" else refs.list(f.ref).by_id).items()}
               for f in plain if f.kind == "ref"}
    refs_at = [(names.index(name), ids) for name, ids in code_of.items()]
    impact_keys = _impact_keys(refs)
    empty_impacts = {key: empty for keys in impact_keys.values() for key, _attr, empty in keys}
    impact_keys = {d_id: [key for key, _attr, _empty in keys] for d_id, keys in impact_keys.items()}
    impacts = DisciplineImpact.__table__
    # NULL read as the field's empty value ("" for a text, False for "van toepassing")
    impact_columns = [impacts.c.risk_id, impacts.c.discipline_id] + [
        impacts.c[f.attr] if f.empty() is None else func.coalesce(impacts.c[f.attr], f.empty())
        for f in IMPACT_FIELDS]
    impact_derived_at = len(impact_columns)
    impact_columns += [impacts.c[name] for name in IMPACT_DERIVED]
    code_of_discipline = {d.id: d.code for d in refs.disciplines.all}
    links = [(name, table_.c.risk_id, table_.c[column], refs.list(name).by_id)
             for table_, column, name in ((risk_meldkamer, "meldkamer_id", "meldkamers"),
                                          (risk_voorziening, "voorziening_id", "voorzieningen"))]
    conn = db.session.connection()
    # Most of the register (the usual re-import of an export): each table read once, whole.
    whole = len(codes) > CHUNK and 2 * len(codes) >= conn.execute(
        select(func.count()).select_from(table)).scalar()
    # Each risk's values as one flat list, in the order of ``keys``, made into a dict at the end:
    # a slice per impact row instead of a dict update.
    order = [d.id for d in refs.disciplines.all]
    width = len(IMPACT_FIELDS.fields)
    slot = {d_id: 4 + len(names) + k * width for k, d_id in enumerate(order)}
    keys = ["id", "version", "meldkamers", "voorzieningen", *names,
            *(key for d_id in order for key in impact_keys[d_id]), "_risk", "_impacts"]
    empties = [empty_impacts[key] for d_id in order for key in impact_keys[d_id]]
    flat: dict[int, list] = {}
    codes_of: dict[int, str] = {}
    for r in rows_among(conn, select(*columns), table.c.code, codes, at=1, whole=whole):
        row = [r[0], r[2], [], [], *r[3:derived_at], *empties,
               dict(zip(RISK_DERIVED, r[derived_at:])), {}]
        for at, ids_ in refs_at:
            row[4 + at] = ids_.get(row[4 + at])
        flat[r[0]] = row
        codes_of[r[0]] = r[1]
    if not flat:
        return found
    end = len(keys) - 1  # the position of _impacts
    for i in rows_among(conn, select(*impact_columns), impacts.c.risk_id, flat, at=0,
                        whole=whole):
        row = flat[i[0]]
        at = slot[i[1]]
        row[at:at + width] = i[2:impact_derived_at]
        row[end][code_of_discipline[i[1]]] = i[impact_derived_at:]  # as IMPACT_DERIVED
    for position, (_name, risk_column, item_column, items) in enumerate(links, 2):
        for risk_id, item_id in rows_among(conn, select(risk_column, item_column), risk_column,
                                           flat, at=0, whole=whole):
            flat[risk_id][position].append(items[item_id].code)
    for risk_id, row in flat.items():
        row[2].sort()
        row[3].sort()
        found[codes_of[risk_id]] = dict(zip(keys, row))
    return found


def _impact_names(refs) -> list[tuple[str, list[str]]]:
    """[(discipline code, its column keys "AMB.applies", … in the order of IMPACT_FIELDS)]."""
    return [(d.code, [f"{d.code}.{f.name}" for f in IMPACT_FIELDS]) for d in refs.disciplines.all]


_RISK_NAMES = [f.name for f in RISK_FIELDS]


def _risk_data(values: dict, refs, impact_keys=None) -> RiskData:
    impacts = {}
    get = values.get
    # The data classes take their fields in the order of the field lists (positional: faster).
    for code, keys in impact_keys or _impact_names(refs):
        impact = ImpactData(*map(get, keys))
        impact.applies = bool(impact.applies)
        impact.rationale = impact.rationale or ""
        impacts[code] = impact  # scores without "van toepassing" are refused, not dropped
    data = RiskData(*map(values.__getitem__, _RISK_NAMES), impacts=impacts)
    data.status = data.status or "concept"
    return data


def _snap(key: str, value):
    """A value as the audit trail stores it (ISO dates, "" for empty text)."""
    prefix, _dot, name = key.rpartition(".")
    spec = (IMPACT_FIELDS if prefix else RISK_FIELDS).by_name.get(name)
    if spec is None:
        return value
    if spec.kind == "bool":
        return bool(value)
    if value is None and spec.kind in ("text", "longtext"):
        value = ""
    return spec.snapshot(value)


def _differs(key: str, existing: dict, merged: dict) -> bool:
    if key.endswith(("bruto_impact", "netto_impact")):
        # scores of a discipline the risk does not apply to are not kept
        code = key.split(".")[0]
        if not merged.get(f"{code}.applies") and not existing.get(f"{code}.applies"):
            return False
    old, new = existing.get(key), merged.get(key)
    if isinstance(old, str) or isinstance(new, str):
        return (old or "") != (new or "")
    return old != new


def _show(key: str, value, refs):
    """A value as the preview shows it: the Dutch cell text."""
    prefix, _, name = key.rpartition(".")
    spec = IMPACT_FIELDS[name] if prefix else RISK_FIELDS[name]
    value = spec.cell(value, refs)
    if spec.kind == "bool":
        return _("ja") if value == "ja" else _("nee")
    return value
