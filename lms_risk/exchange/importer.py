"""Importing the Register sheet: read, validate every cell, plan, and only then write.

``plan_import`` reads and checks the whole sheet and compares each row with the database; it
writes nothing. ``apply_import`` writes a plan without errors in the caller's transaction: new
risks in bulk, changed risks through ``update_risk`` (history with reason ``import <file>``).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record
from ..risks.permissions import can_score
from ..extensions import db
from ..matrix.models import ImpactClass, LikelihoodClass, RiskLevel
from ..risks.labels import STATUS_LABELS
from ..risks.models import DisciplineImpact, Risk, risk_meldkamer, risk_voorziening
from ..excel.reader import Limits, read_sheet
from ..excel.reader import column_letters as column_letter
from ..risks.services import (
    ImpactData,
    RiskData,
    bulk_create_risks,
    load_refs,
    update_risk,
    validate,
)
from .columns import RegisterColumn, match_header, normalise, register_columns, unknown_discipline

SHEET = "Register"
KEY_FIELDS = ("code", "version")  # identify the row; never a change in themselves
STRIPPED = ("code", "title", "owner")  # the register trims these; other texts stay verbatim
SHEET_NAMES = ("Register", "Risicoregister", "Risk register")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$")
TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
FALSE = {"nee", "n", "no", "false", "onwaar", "0", ""}


@dataclass
class Message:
    """A problem found in the file, with where it is."""

    message: str
    row: int | None = None
    column: str | None = None  # letter
    header: str | None = None
    value: object = None
    sheet: str = SHEET

    def where(self) -> str:
        parts = [_("blad %(sheet)s", sheet=self.sheet)]
        if self.row:
            parts.append(_("rij %(row)s", row=self.row))
        if self.column:
            parts.append(_("kolom %(col)s", col=self.column)
                         + (f" ({self.header})" if self.header else ""))
        elif self.header:  # a field whose column is not in the sheet
            parts.append(_("veld %(field)s", field=self.header))
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" [{self.value!s:.60}]" if self.value not in (None, "") else ""
        return f"{self.where()}: {self.message}{value}"


@dataclass
class Change:
    row: int
    code: str
    title: str
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # header, old, new


@dataclass
class Conflict:
    row: int
    code: str
    file_version: object
    database_version: int


@dataclass
class ImportPlan:
    filename: str
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    # what apply_import writes: (code, RiskData) for new rows, (risk id, version, RiskData) changed
    _creates: list = field(default_factory=list, repr=False)
    _updates: list = field(default_factory=list, repr=False)

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.conflicts)

    def summary(self) -> str:
        return (f"new={len(self.new)} changed={len(self.changed)} unchanged={self.unchanged} "
                f"conflicts={len(self.conflicts)} errors={len(self.errors)}")


class _Lookups:
    """Reference values by code or by Dutch/English name, case-insensitively."""

    def __init__(self, refs):
        self.refs = refs

        def index(items, *names):
            out = {}
            for item in items:
                for name in names:
                    value = getattr(item, name, None)
                    if value:
                        out[normalise(value)] = item
            return out

        self.categories = index(refs.categories.values(), "code", "name_nl", "name_en")
        self.meldkamers = index(refs.meldkamers.values(), "code", "name_nl", "name_en")
        self.voorzieningen = index(refs.voorzieningen.values(), "code", "name_nl", "name_en")
        levels = list(db.session.scalars(select(RiskLevel)))
        self.levels = index(levels, "code", "name_nl", "name_en")
        self.level_by_id = {lvl.id: lvl for lvl in levels}
        self.statuses = {normalise(code): code for code in STATUS_LABELS}
        self.statuses.update({normalise(str(label)): code for code, label in STATUS_LABELS.items()})
        self.statuses.update({normalise(code.replace("_", " ")): code for code in STATUS_LABELS})
        self.likelihoods = set(db.session.scalars(select(LikelihoodClass.value)))
        self.impacts = set(db.session.scalars(select(ImpactClass.value)))


def limits_from_config(config) -> Limits:
    return Limits(max_bytes=config["MAX_CONTENT_LENGTH"], max_rows=config["IMPORT_MAX_ROWS"],
                  max_columns=config["IMPORT_MAX_COLUMNS"],
                  max_cell_chars=config["IMPORT_MAX_CELL_CHARS"])


def plan_file(source, filename: str, user, config) -> ImportPlan:
    """Read the Register sheet of an uploaded workbook with the configured bounds and plan it."""
    limits = limits_from_config(config)
    sheet = read_sheet(source, SHEET_NAMES, limits)
    if any(problem.fatal for problem in sheet.problems):
        plan = ImportPlan(filename=filename)
        plan.errors += [_reader_message(p, limits) for p in sheet.problems]
        return plan
    return plan_import(sheet, filename, user)


def plan_import(sheet, filename: str, user) -> ImportPlan:
    """Check every row of ``sheet`` (header, rows, problems from lms_risk.excel) against the
    register. Nothing is written."""
    plan = ImportPlan(filename=filename)
    plan.errors += [_reader_message(p) for p in sheet.problems]
    refs = load_refs()
    lookups = _Lookups(refs)
    columns = register_columns(sorted(refs.disciplines, key=lambda c: refs.disciplines[c].id))
    mapping: dict[int, RegisterColumn] = {}
    seen_keys: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        if header in (None, ""):
            continue
        column = match_header(header, columns)
        letter = column_letter(index)
        if column is None:
            code = unknown_discipline(header)
            if code:
                plan.errors.append(Message(_("onbekende discipline %(code)s", code=code),
                                           row=1, column=letter, header=str(header)))
            else:
                plan.warnings.append(Message(_("onbekende kolom, genegeerd"), row=1, column=letter,
                                             header=str(header)))
            continue
        if column.key in seen_keys:
            plan.errors.append(Message(_("kolom komt twee keer voor"), row=1, column=letter,
                                       header=str(header)))
            continue
        seen_keys[column.key] = index
        if column.editable or column.key == "version":
            mapping[index] = column
    if "code" not in seen_keys:
        plan.errors.append(Message(_("de kolom Code ontbreekt"), row=1))
        return plan

    parsers = {index: _parser(column, lookups) for index, column in mapping.items()}
    headers = {c.key: c.header for c in columns}
    rows = []
    codes_seen: dict[str, int] = {}
    for number, values in sheet.rows:
        parsed, ok = {}, True
        for index, column in mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed[column.key] = parsers[index](value)
            except ValueError as error:
                ok = False
                plan.errors.append(Message(str(error), row=number, column=column_letter(index),
                                           header=column.header, value=value))
        code = parsed.get("code") or ""
        if not code:
            plan.errors.append(Message(_("vul een code in, bijvoorbeeld R-1001"), row=number,
                                       column=column_letter(seen_keys["code"]), header="Code"))
            continue
        if not CODE.match(code):
            plan.errors.append(Message(_("ongeldige code"), row=number,
                                       column=column_letter(seen_keys["code"]), header="Code",
                                       value=code))
            continue
        if code in codes_seen:
            plan.errors.append(Message(_("code %(code)s staat ook in rij %(row)s", code=code,
                                         row=codes_seen[code]), row=number,
                                       column=column_letter(seen_keys["code"]), header="Code"))
            continue
        codes_seen[code] = number
        if ok:
            rows.append((number, code, parsed))

    current = _current_values([code for _, code, _ in rows])
    for number, code, parsed in rows:
        existing = current.get(code)
        merged = dict(existing or _defaults(refs))
        merged.update({k: v for k, v in parsed.items() if k != "version"})
        if merged["status"] is None:
            if existing:
                plan.errors.append(Message(_("vul een status in"), row=number,
                                           column=column_letter(seen_keys["status"]), header="Status"))
                continue
            merged["status"] = "concept"
        data = _risk_data(merged, refs)
        problems = validate(data)
        if problems:
            for key, problem in problems.items():
                plan.errors.append(_field_message(key, problem, number, seen_keys, merged, columns))
            continue
        if existing is None:
            denied = [c for c, i in data.impacts.items()
                      if i.applies and not can_score(user, refs.disciplines[c].id)]
            if denied:
                plan.errors.append(_denied(number, denied[0], seen_keys, headers))
                continue
            plan.new.append(Change(number, code, data.title))
            plan._creates.append((code, data))
            continue
        changed = [key for key in merged if key in parsed and key not in KEY_FIELDS
                   and _differs(key, existing, merged)]
        if not changed:
            # Nothing would be written, so nothing can be lost: unchanged whatever the version
            # (importing the same file twice is a no-op the second time).
            plan.unchanged += 1
            continue
        version = parsed.get("version")
        if version is None or version < existing["version"]:
            plan.conflicts.append(Conflict(number, code, version, existing["version"]))
            continue
        if version > existing["version"]:
            plan.errors.append(Message(
                _("versie %(v)s is nieuwer dan de versie in het register (%(db)s)", v=version,
                  db=existing["version"]), row=number, column=column_letter(seen_keys["version"]),
                header="Versie"))
            continue
        denied = sorted({key.split(".")[0] for key in changed if "." in key
                         and not can_score(user, refs.disciplines[key.split(".")[0]].id)})
        if denied:
            plan.errors.append(_denied(number, denied[0], seen_keys, headers))
            continue
        plan.changed.append(Change(number, code, merged["title"], [
            (headers[key], _show(key, existing[key], lookups), _show(key, merged[key], lookups))
            for key in changed]))
        plan._updates.append((existing["id"], existing["version"], data))
    return plan


def apply_import(plan: ImportPlan, user) -> None:
    """Write a plan that has no errors and no conflicts. Flushes; the caller commits once."""
    if plan.refused:
        raise ValueError("a plan with errors or conflicts cannot be applied")
    reason = f"import {plan.filename}"
    refs = load_refs()
    bulk_create_risks(plan._creates, user, reason=reason, refs=refs)
    for risk_id, version, data in plan._updates:
        update_risk(db.session.get(Risk, risk_id), data, user, expected_version=version,
                    reason=reason, refs=refs)
    record("import", "register", plan.filename, user, summary=plan.summary())
    db.session.flush()


def _reader_message(problem, limits=None) -> Message:
    from .messages import reader_message

    return Message(reader_message(problem, limits), row=getattr(problem, "row", None),
                   column=getattr(problem, "column", None), header=getattr(problem, "field", None),
                   sheet=getattr(problem, "sheet", None) or SHEET)


def _denied(number: int, code: str, seen_keys: dict, headers: dict) -> Message:
    """The refusal of a discipline's scores, at the first of that discipline's columns."""
    for part in ("applies", "bruto_impact", "netto_impact", "rationale"):
        index = seen_keys.get(f"{code}.{part}")
        if index is not None:
            break
    return Message(_("u mag alleen de impact van uw eigen discipline wijzigen, niet van %(code)s",
                     code=code), row=number,
                   column=column_letter(index) if index is not None else None,
                   header=headers[f"{code}.{part}"] if index is not None else None)


def _parser(column: RegisterColumn, lookups: _Lookups):
    """A function from a cell of ``column`` to the register's value, raising ValueError with what
    is wrong (in Dutch). Made once per column: the import calls it for every cell."""
    key = column.key.split(".")[-1]
    if column.kind == "int":
        if key.endswith("likelihood"):
            allowed, message = lookups.likelihoods, _(
                "kans buiten de matrix (%(min)s–%(max)s)", min=min(lookups.likelihoods),
                max=max(lookups.likelihoods))
        elif key.endswith("impact"):
            allowed, message = lookups.impacts, _(
                "impact buiten de matrix (%(min)s–%(max)s)", min=min(lookups.impacts),
                max=max(lookups.impacts))
        else:
            allowed, message = None, ""
        not_whole = _("geen geheel getal")

        def parse_int(value):
            if value is None or value == "":
                return None
            kind = type(value)
            if kind is float and value.is_integer():
                value = int(value)
            elif kind is str:
                text = value.strip()
                if not text:
                    return None
                if not text.isdigit():
                    raise ValueError(not_whole)
                value = int(text)
            elif kind is not int:
                raise ValueError(not_whole)
            if allowed is not None and value not in allowed:
                raise ValueError(message)
            return value
        return parse_int
    if column.kind == "bool":
        def parse_bool(value):
            text = normalise(value)
            if text in TRUE:
                return True
            if text in FALSE:
                return False
            raise ValueError(_("vul ja of nee in"))
        return parse_bool
    if column.kind == "date":
        def parse_date(value):
            if isinstance(value, str):
                value = value.strip()
            if value is None or value == "":
                return None
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
                try:
                    return datetime.strptime(str(value), fmt).date()
                except ValueError:
                    pass
            raise ValueError(_("geen datum (dd-mm-jjjj)"))
        return parse_date

    def text_of(value) -> str:
        if value is None:
            return ""
        if type(value) is str:
            return value.strip()
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    if column.kind == "codes":
        table = lookups.meldkamers if key == "meldkamers" else lookups.voorzieningen

        def parse_codes(value):
            codes = []
            for part in re.split(r"[,;\n]", text_of(value)):
                if not part.strip():
                    continue
                item = table.get(normalise(part))
                if item is None:
                    raise ValueError(_("onbekende meldkamer %(v)s", v=part.strip())
                                     if key == "meldkamers"
                                     else _("onbekende voorziening %(v)s", v=part.strip()))
                codes.append(item.code)
            return sorted(set(codes))
        return parse_codes
    if key == "status":
        def parse_status(value):
            text = text_of(value)
            if not text:
                return None  # a new risk starts as concept; an existing one needs its status
            if normalise(text) not in lookups.statuses:
                raise ValueError(_("onbekende status; kies uit %(s)s",
                                   s=", ".join(str(v) for v in STATUS_LABELS.values())))
            return lookups.statuses[normalise(text)]
        return parse_status
    if key in ("category", "target_level"):
        table = lookups.categories if key == "category" else lookups.levels
        unknown = _("onbekende categorie") if key == "category" else _("onbekend niveau")

        def parse_named(value):
            text = text_of(value)
            if not text:
                return None
            item = table.get(normalise(text))
            if item is None:
                raise ValueError(unknown)
            return item.code if key == "category" else item.id
        return parse_named
    if key in STRIPPED:
        return text_of

    def free_text(value) -> str:  # kept exactly as written: the register does not trim it
        return value if type(value) is str else text_of(value)
    return free_text


def _defaults(refs) -> dict:
    values = {"title": "", "description": "", "cause": "", "consequence": "", "category": None,
              "owner": "", "status": "concept", "meldkamers": [], "voorzieningen": [],
              "bruto_likelihood": None, "netto_likelihood": None, "target_level": None,
              "next_review": None}
    for code in refs.disciplines:
        values.update({f"{code}.applies": False, f"{code}.bruto_impact": None,
                       f"{code}.netto_impact": None, f"{code}.rationale": ""})
    return values


def _current_values(codes: list[str]) -> dict[str, dict]:
    """The register's values for these codes, keyed like the columns (a few queries in all)."""
    found: dict[str, dict] = {}
    from ..reference.models import Category, Discipline, Meldkamer, Voorziening

    categories = dict(db.session.execute(select(Category.id, Category.code)).all())
    disciplines = dict(db.session.execute(select(Discipline.id, Discipline.code)).all())
    meldkamers = dict(db.session.execute(select(Meldkamer.id, Meldkamer.code)).all())
    voorzieningen = dict(db.session.execute(select(Voorziening.id, Voorziening.code)).all())
    by_id: dict[int, dict] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        for r in db.session.execute(select(Risk.__table__).where(Risk.code.in_(chunk))).mappings():
            values = {
                "id": r["id"], "version": r["version"], "title": r["title"],
                "description": r["description"], "cause": r["cause"],
                "consequence": r["consequence"], "category": categories.get(r["category_id"]),
                "owner": r["owner"], "status": r["status"], "meldkamers": [], "voorzieningen": [],
                "bruto_likelihood": r["bruto_likelihood"], "netto_likelihood": r["netto_likelihood"],
                "target_level": r["target_level_id"], "next_review": r["next_review"],
            }
            for code in disciplines.values():
                values.update({f"{code}.applies": False, f"{code}.bruto_impact": None,
                               f"{code}.netto_impact": None, f"{code}.rationale": ""})
            found[r["code"]] = values
            by_id[r["id"]] = values
    ids = list(by_id)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for i in db.session.execute(select(DisciplineImpact.__table__)
                                    .where(DisciplineImpact.risk_id.in_(chunk))).mappings():
            code = disciplines[i["discipline_id"]]
            by_id[i["risk_id"]].update({
                f"{code}.applies": i["applies"], f"{code}.bruto_impact": i["bruto_impact"],
                f"{code}.netto_impact": i["netto_impact"], f"{code}.rationale": i["rationale"] or ""})
        for risk_id, mk in db.session.execute(select(risk_meldkamer).where(
                risk_meldkamer.c.risk_id.in_(chunk))):
            by_id[risk_id]["meldkamers"].append(meldkamers[mk])
        for risk_id, vz in db.session.execute(select(risk_voorziening).where(
                risk_voorziening.c.risk_id.in_(chunk))):
            by_id[risk_id]["voorzieningen"].append(voorzieningen[vz])
    for values in by_id.values():
        values["meldkamers"].sort()
        values["voorzieningen"].sort()
    return found


def _risk_data(values: dict, refs) -> RiskData:
    impacts = {}
    for code in refs.disciplines:
        applies = bool(values.get(f"{code}.applies"))
        impacts[code] = ImpactData(
            applies=applies,
            bruto_impact=values.get(f"{code}.bruto_impact") if applies else None,
            netto_impact=values.get(f"{code}.netto_impact") if applies else None,
            rationale=values.get(f"{code}.rationale") or "")
    return RiskData(
        title=values["title"] or "", description=values["description"] or "",
        cause=values["cause"] or "", consequence=values["consequence"] or "",
        category_code=values["category"], owner=values["owner"] or "",
        status=values["status"] or "concept", meldkamer_codes=values["meldkamers"],
        voorziening_codes=values["voorzieningen"],
        bruto_likelihood=values["bruto_likelihood"], netto_likelihood=values["netto_likelihood"],
        target_level_id=values["target_level"], next_review=values["next_review"], impacts=impacts)


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


def _show(key: str, value, lookups: _Lookups):
    if key == "target_level":
        level = lookups.level_by_id.get(value)
        return level.name_nl if level else None
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    return value


def _field_message(key: str, problem: str, number: int, seen_keys: dict, merged: dict,
                   columns) -> Message:
    from ..risks.forms import ERROR_MESSAGES

    headers = {c.key: c.header for c in columns}
    index = seen_keys.get(key)
    return Message(str(ERROR_MESSAGES.get(problem, problem)), row=number,
                   column=column_letter(index) if index is not None else None,
                   header=headers.get(key, key), value=merged.get(key))
