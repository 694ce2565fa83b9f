"""The workbook's sheets Plannen (one row per continuity plan) and Oefeningen (one row per
exercise), exported with the register and imported with the same checks, preview and
all-or-nothing writing: every row is checked against the field specification and the services'
rules before anything is written; an unedited export imports as zero changes.

A row is found by its code; a row without a code is a new plan or exercise. Recovery steps and
findings are one per line in their cell (a step as ``omschrijving | verantwoordelijke | minuten``).
A changed Plannen or Oefeningen row needs the plan's or exercise's Versie (its revision, as
exported): a row made from an older revision is refused on that cell, so two imports of one plan
or exercise cannot overwrite each other unnoticed; Planversie (the approved versions' count) is
shown and ignored.
"""

import re

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..bia.models import Bia
from ..core.fields import Field, parse_revision, stale_row, text_of
from ..core.workbook import message
from ..excel.reader import column_letters as column_letter
from ..excel.workbook import Change, SheetColumn, SheetPlan, SheetSpec, match_columns
from ..extensions import db
from ..risks.models import Risk
from .fields import EXERCISE_FIELDS, PLAN_FIELDS, ExerciseData, PlanData, StepData
from .models import Exercise, Plan
from .permissions import can_create_plan, can_edit_all_plans, can_edit_plan, covers_meldkamer
from .queries import Verdict, current_rtos
from .services import (
    _exercise_errors,
    _plan_errors,
    create_plan,
    link_risk,
    record_exercise,
    set_plan_bia,
    unlink_risk,
    update_exercise,
    update_plan,
)

PLAN_SHEET = ("Plannen", "Continuïteitsplannen", "Plans")
EXERCISE_SHEET = ("Oefeningen", "Exercises")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$")


# --- cells --------------------------------------------------------------------------------------

def steps_cell(steps) -> str:
    lines = []
    for s in steps:
        parts = [s.description, s.responsible or "",
                 "" if s.target_minutes is None else str(s.target_minutes)]
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def parse_steps(value) -> list:
    steps = []
    for n, line in enumerate(text_of(value).splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3:
            raise ValueError(_("stap %(n)s: hoogstens drie delen (omschrijving | "
                               "verantwoordelijke | minuten)", n=n))
        parts += [""] * (3 - len(parts))
        minutes = None
        if parts[2]:
            if not parts[2].isdigit():
                raise ValueError(_("stap %(n)s: de doeltijd is geen geheel getal", n=n))
            minutes = int(parts[2])
        steps.append(StepData(description=parts[0], responsible=parts[1], target_minutes=minutes))
    return steps


def parse_lines(value) -> list:
    return [line.strip() for line in text_of(value).splitlines() if line.strip()]


def parse_codes(value) -> list:
    return sorted({p.strip().upper() for p in re.split(r"[,;\n]", text_of(value)) if p.strip()})


def _field_column(spec: Field, refs) -> SheetColumn:
    return SheetColumn(spec.name, spec.header, spec.header_en, spec.width, spec.wrap,
                       editable=True, parser=spec.parser(refs), allowed=spec.allowed(refs))


def plan_columns(refs) -> list[SheetColumn]:
    return ([SheetColumn("code", "Code", "Code", 10, editable=True)]
            + [_field_column(f, refs) for f in PLAN_FIELDS]
            + [SheetColumn("steps", "Herstelstappen", "Recovery steps", 50, True, editable=True,
                           parser=parse_steps),
               SheetColumn("bia", "BIA", "BIA", 10, editable=True,
                           parser=lambda v: text_of(v).upper() or None),
               SheetColumn("risks", "Risico's", "Risks", 24, True, editable=True,
                           parser=parse_codes),
               SheetColumn("revision", "Versie", "Version", 8, editable=True,
                           parser=parse_revision),
               SheetColumn("version", "Planversie", "Plan version", 11),
               SheetColumn("approved", "Vastgesteld", "Approved", 12)])


def exercise_columns(refs) -> list[SheetColumn]:
    return ([SheetColumn("code", "Code", "Code", 11, editable=True),
             SheetColumn("plan", "Plan", "Plan", 10, editable=True,
                         parser=lambda v: text_of(v).upper())]
            + [_field_column(f, refs) for f in EXERCISE_FIELDS]
            + [SheetColumn("findings", "Bevindingen", "Findings", 50, True, editable=True,
                           parser=parse_lines),
               SheetColumn("revision", "Versie", "Version", 8, editable=True,
                           parser=parse_revision),
               SheetColumn("target", "Hersteldoel (min)", "Target (min)", 12),
               SheetColumn("rto", "RTO (min)", "RTO (min)", 10),
               SheetColumn("over_rto", "Boven RTO", "Over RTO", 10)])


def _cell(spec: Field, value, refs):
    return spec.cell(value, refs)


# --- export -------------------------------------------------------------------------------------

class _ContinuitySheet(SheetSpec):
    """What the two sheets share: who may import them, how a sheet is opened (its columns and
    their lists of allowed values), filled, and written blank for the import template."""

    about = ""  # the sheet's line in the export's Toelichting

    def columns(self, refs) -> list[SheetColumn]:
        raise NotImplementedError

    def rows(self, refs):
        """The sheet's rows: (cells, styles or None) each."""
        raise NotImplementedError

    def may_import(self, user) -> bool:
        return can_create_plan(user)  # and each row: may this user edit that plan

    def open(self, book, context):
        columns = self.columns(context["refs"])
        return book.sheet(self.names[0], [c.column() for c in columns]), columns

    def fill(self, handle, context):
        sheet, columns = handle
        written = 0
        for cells, styles in self.rows(context["refs"]):
            sheet.write(cells, styles)
            written += 1
        sheet.finish()
        _validation(sheet, columns)
        context["about"].append((self.about, written))

    def template(self, book, context):
        sheet, columns = self.open(book, context)
        sheet.finish()
        _validation(sheet, columns)
        return True


class PlansSheet(_ContinuitySheet):
    key = "continuity_plans"
    names = PLAN_SHEET
    order = 40
    about = "Continuïteitsplannen"
    label = _l("plannen")

    def columns(self, refs):
        return plan_columns(refs)

    def rows(self, refs):
        plans = db.session.scalars(select(Plan).order_by(Plan.code).options(
            selectinload(Plan.steps), selectinload(Plan.risks), selectinload(Plan.bia)))
        for plan in plans:
            values = PLAN_FIELDS.values(plan, refs)
            yield ([plan.code] + [_cell(f, values[f.name], refs) for f in PLAN_FIELDS]
                   + [steps_cell(plan.steps) or None, plan.bia.code if plan.bia else None,
                      ", ".join(r.code for r in plan.risks) or None, plan.revision,
                      plan.version, "ja" if plan.frozen else "nee"]), None

    def plan(self, sheet, context):
        return plan_plans(sheet, context)

    def row_url(self, item):
        return url_for("continuity.plan", code=item.code) if item.code else None


class ExercisesSheet(_ContinuitySheet):
    key = "continuity_exercises"
    names = EXERCISE_SHEET
    order = 41
    about = "Oefeningen"
    label = _l("oefeningen")

    def columns(self, refs):
        return exercise_columns(refs)

    def rows(self, refs):
        rtos = current_rtos()
        last = len(exercise_columns(refs)) - 1
        rows = db.session.execute(select(Exercise, Plan).join(Plan, Plan.id == Exercise.plan_id)
                                  .order_by(Exercise.code)
                                  .options(selectinload(Exercise.findings)))
        for exercise, plan in rows:
            values = EXERCISE_FIELDS.values(exercise, refs)
            verdict = Verdict(exercise.achieved_minutes, plan.target_minutes,
                              rtos.get(plan.bia_id))
            yield ([exercise.code, plan.code]
                   + [_cell(f, values[f.name], refs) for f in EXERCISE_FIELDS]
                   + ["\n".join(f.description for f in exercise.findings) or None,
                      exercise.revision, plan.target_minutes, verdict.rto,
                      "ja" if verdict.missed_rto else "nee" if verdict.rto else None],
                   {last: {"bg_color": "#FFCDD2"}} if verdict.missed_rto else None)

    def plan(self, sheet, context):
        return plan_exercises(sheet, context)

    def row_url(self, item):
        return url_for("continuity.exercise", code=item.code) if item.code else None


SHEETS = [PlansSheet(), ExercisesSheet()]


def _validation(sheet, columns) -> None:
    for col, column in enumerate(columns):
        if column.editable and column.allowed and sum(len(a) + 1 for a in column.allowed) < 250:
            sheet.validate_list(col, list(column.allowed), title=column.header[:32],
                                message="Kies uit de lijst.")


# --- import -------------------------------------------------------------------------------------

def _read(sheet, columns, plan: SheetPlan, name: str):
    """[(row number, {key: parsed value})] of the rows whose every cell parses; messages for the
    others, for unknown and repeated headers."""

    def msg(text, **where):
        return message(text, sheet=name, **where)

    found, unknown, repeated = match_columns(sheet.header, columns)
    for index in unknown:
        plan.warnings.append(msg(_("onbekende kolom, genegeerd"), row=1,
                                 column=column_letter(index), header=str(sheet.header[index])))
    for index in repeated:
        plan.errors.append(msg(_("kolom komt twee keer voor"), row=1, column=column_letter(index),
                               header=str(sheet.header[index])))
    mapping = {i: c for i, c in found.items() if c.editable}
    if "code" not in {c.key for c in mapping.values()}:
        plan.errors.append(msg(_("de kolom Code ontbreekt"), row=1))
        return [], {}
    letters = {c.key: column_letter(i) for i, c in mapping.items()}
    rows, seen = [], {}
    for number, values in sheet.rows:
        parsed, ok = {}, True
        for index, column in mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed[column.key] = (text_of(value).upper() if column.key == "code"
                                      else column.parser(value))
            except ValueError as error:
                ok = False
                plan.errors.append(msg(str(error), row=number, column=column_letter(index),
                                       header=column.header, value=value))
        code = parsed.get("code") or ""
        if code and not CODE.match(code):
            plan.errors.append(msg(_("ongeldige code"), row=number, column=letters["code"],
                                   header="Code", value=code))
            continue
        if code and code in seen:
            plan.errors.append(msg(_("code %(code)s staat ook in rij %(row)s", code=code,
                                     row=seen[code]), row=number, column=letters["code"],
                                   header="Code"))
            continue
        if code:
            seen[code] = number
        if ok:
            rows.append((number, parsed))
    return rows, letters


def _row_messages(errors: dict, number, letters, headers, name) -> list:
    out = []
    for key, text in errors.items():
        base = key.split(".")[0]
        out.append(message(text, sheet=name, row=number, column=letters.get(base),
                           header=headers.get(base, base)))
    return out


def plan_plans(sheet, context) -> SheetPlan:
    user, refs = context["user"], context["refs"]
    name = sheet.name or PLAN_SHEET[0]
    plan = SheetPlan(sheet=name)
    columns = plan_columns(refs)
    headers = {c.key: c.header for c in columns}
    rows, letters = _read(sheet, columns, plan, name)
    existing = _by_code(Plan, {p.get("code") for _n, p in rows}, selectinload(Plan.steps),
                        selectinload(Plan.risks), selectinload(Plan.bia))
    bias = _by_code(Bia, {p.get("bia") for _n, p in rows})
    risks = _by_code(Risk, {c for _n, p in rows for c in p.get("risks") or ()})
    work = []
    for number, parsed in rows:
        code = parsed.get("code")
        current = existing.get(code) if code else None
        err = _row_errors(plan, name, number, letters, headers)

        if code and current is None:
            err(_("plan %(code)s bestaat niet; laat de code leeg voor een nieuw plan",
                  code=code))
            continue
        values = PLAN_FIELDS.values(current, refs) if current else {
            f.name: f.empty() for f in PLAN_FIELDS}
        values.update({k: v for k, v in parsed.items() if k in PLAN_FIELDS.by_name})
        if values.get("status") is None:
            values["status"] = "concept"
        steps = parsed["steps"] if "steps" in parsed else (
            [StepData(description=s.description, responsible=s.responsible,
                      target_minutes=s.target_minutes) for s in current.steps] if current else [])
        data = PlanData(**values, steps=steps)
        errors = _plan_errors(data)
        if errors:
            plan.errors.extend(_row_messages(errors, number, letters, headers, name))
            continue
        bia_code = parsed.get("bia", current.bia.code if current and current.bia else None) \
            if "bia" in parsed or current else None
        if bia_code and bia_code not in bias:
            err(_("onbekende BIA %(code)s", code=bia_code), "bia")
            continue
        risk_codes = parsed.get("risks") if "risks" in parsed else (
            [r.code for r in current.risks] if current else [])
        missing = [c for c in risk_codes if c not in risks]
        if missing:
            err(_("onbekend risico %(code)s", code=", ".join(missing)), "risks")
            continue
        linked = {r.code for r in current.risks} if current else set()
        archived = [c for c in risk_codes if c not in linked and risks[c].archived_at is not None]
        if archived:
            err(_("risico %(code)s is gearchiveerd en kan niet worden gekoppeld",
                  code=", ".join(archived)), "risks")
            continue
        meldkamer = refs.meldkamers.by_code.get(data.meldkamer or "")
        if current is None:
            if not can_create_plan(user) or not (can_edit_all_plans(user) or (
                    meldkamer is not None and covers_meldkamer(user, meldkamer.id))):
                err(_("u mag geen plan voor deze meldkamer aanmaken"), "meldkamer")
                continue
            plan.new.append(Change(number, "", data.title))
            work.append((None, data, bia_code, risk_codes, None))
            continue
        before = {**PLAN_FIELDS.values(current, refs), "steps": steps_cell(current.steps),
                  "bia": current.bia.code if current.bia else None,
                  "risks": sorted(r.code for r in current.risks)}
        after = {**{f.name: getattr(data, f.name) for f in PLAN_FIELDS},
                 "steps": steps_cell(data.steps), "bia": bia_code, "risks": sorted(risk_codes)}
        changed = [k for k in after if _norm(before[k]) != _norm(after[k])]
        if not changed:
            plan.unchanged += 1
            continue
        revision = parsed.get("revision")
        if refusal := stale_row(_("plan %(code)s", code=code), revision, current.revision):
            err(refusal, "revision")
            continue
        if not can_edit_plan(user, current) or not (can_edit_all_plans(user) or (
                meldkamer is not None and covers_meldkamer(user, meldkamer.id))):
            err(_("u mag plan %(code)s niet wijzigen", code=code))
            continue
        field_changes = [k for k in changed if k != "risks"]  # the BIA is frozen too
        if current.frozen and field_changes:
            err(_("plan %(code)s is vastgesteld (versie %(n)s); maak eerst een nieuwe versie",
                  code=code, n=current.version))
            continue
        plan.changed.append(Change(number, code, data.title, [
            (headers[k], _show(before[k]), _show(after[k])) for k in changed]))
        work.append((current, data, bia_code, risk_codes, revision))

    def apply() -> None:
        for current, data, bia_code, risk_codes, revision in work:
            target = current
            if target is None:
                target = create_plan(data, user, refs=refs)
            elif not target.frozen:
                update_plan(target, data, user, refs=refs, expected_revision=revision)
            set_plan_bia(target, bias.get(bia_code) if bia_code else None, user)
            for risk in list(target.risks):
                if risk.code not in risk_codes:
                    unlink_risk(target, risk, user)
            for risk_code in risk_codes:
                link_risk(target, risks[risk_code], user)

    plan.apply = apply
    return plan


def _norm(value):
    if value in (None, "", []):
        return None
    return value


def _show(value):
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _by_code(model, codes, *options) -> dict:
    """{code: object} of the rows of ``model`` whose code is among ``codes`` (blanks ignored):
    one query, none when there is nothing to look for."""
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return {o.code: o for o in db.session.scalars(
        select(model).where(model.code.in_(codes)).options(*options))}


def _row_errors(plan: SheetPlan, name: str, number: int, letters: dict, headers: dict):
    """``err(text, key="code")``: a message on row ``number``'s cell of the column ``key``."""
    def err(text, key="code"):
        plan.errors.append(message(text, sheet=name, row=number, column=letters.get(key),
                                   header=headers.get(key, key)))
    return err


def plan_exercises(sheet, context) -> SheetPlan:
    user, refs = context["user"], context["refs"]
    name = sheet.name or EXERCISE_SHEET[0]
    plan = SheetPlan(sheet=name)
    columns = exercise_columns(refs)
    headers = {c.key: c.header for c in columns}
    rows, letters = _read(sheet, columns, plan, name)
    existing = _by_code(Exercise, {p.get("code") for _n, p in rows},
                        selectinload(Exercise.findings), selectinload(Exercise.plan))
    plans = _by_code(Plan, {p.get("plan") for _n, p in rows})
    work = []
    for number, parsed in rows:
        code = parsed.get("code")
        current = existing.get(code) if code else None
        err = _row_errors(plan, name, number, letters, headers)

        if code and current is None:
            err(_("oefening %(code)s bestaat niet; laat de code leeg voor een nieuwe oefening",
                  code=code))
            continue
        plan_code = parsed.get("plan") or (current.plan.code if current else "")
        target = plans.get(plan_code) if plan_code else None
        if target is None:
            err(_("onbekend plan %(code)s", code=plan_code) if plan_code
                else _("vul de code van het plan in"), "plan")
            continue
        if current is not None and target.id != current.plan_id:
            err(_("een oefening kan niet naar een ander plan verhuizen"), "plan")
            continue
        values = EXERCISE_FIELDS.values(current, refs) if current else {
            f.name: f.empty() for f in EXERCISE_FIELDS}
        values.update({k: v for k, v in parsed.items() if k in EXERCISE_FIELDS.by_name})
        findings = parsed["findings"] if "findings" in parsed else (
            [f.description for f in current.findings] if current else [])
        data = ExerciseData(**values, findings=findings)
        errors = _exercise_errors(data)
        if current is not None:  # a row left as it was is not refused (a stored future date)
            before = {**EXERCISE_FIELDS.values(current, refs),
                      "findings": [f.description for f in current.findings]}
            after = {**{f.name: getattr(data, f.name) for f in EXERCISE_FIELDS},
                     "findings": findings}
            changed = [k for k in after if _norm(before[k]) != _norm(after[k])]
            if not changed:
                plan.unchanged += 1
                continue
        if current is not None and not errors:
            for n, finding in enumerate(current.findings, 1):
                if finding.risk_id is not None and (n > len(findings)
                                                    or findings[n - 1] != finding.description):
                    errors[f"findings.{n}"] = _(
                        "bevinding %(n)s is al aan een risico gekoppeld en kan niet meer worden "
                        "gewijzigd of verwijderd", n=n)
        if errors:
            plan.errors.extend(_row_messages(errors, number, letters, headers, name))
            continue
        denied = _("u mag de oefeningen van plan %(code)s niet wijzigen", code=target.code)
        if current is None:
            if not can_edit_plan(user, target):
                err(denied, "plan")
                continue
            plan.new.append(Change(number, "", f"{target.code} {data.held_on}"))
            work.append((None, target, data, None))
            continue
        revision = parsed.get("revision")
        if refusal := stale_row(_("oefening %(code)s", code=code), revision, current.revision):
            err(refusal, "revision")
            continue
        if not can_edit_plan(user, target):
            err(denied, "plan")
            continue
        plan.changed.append(Change(number, code, target.title, [
            (headers[k], _show(before[k]), _show(after[k])) for k in changed]))
        work.append((current, target, data, revision))

    def apply() -> None:
        for current, target, data, revision in work:
            if current is None:
                record_exercise(target, data, user, refs=refs)
            else:
                update_exercise(current, data, user, refs=refs, expected_revision=revision)

    plan.apply = apply
    return plan


