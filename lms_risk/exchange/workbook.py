"""The whole workbook, made of the sheets every feature declares: export, template, import."""

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..audit.summaries import coded
from ..core.features import registry
from ..core.workbook import SheetRefs, describe, limits_from_config
from ..excel.workbook import Message, WorkbookPlan, apply_workbook, plan_workbook, write_template, write_workbook
from ..reference.data import refdata
from ..risks.register import Codes, RegisterFilter


@dataclass
class ExportResult:
    risks: int = 0
    history: int = 0
    sheets: list[str] = field(default_factory=list)


def _context(user, flt: RegisterFilter | None = None) -> dict:
    refs = refdata()
    return {"user": user, "refs": refs, "sheet_refs": SheetRefs(refs),
            "filter": flt or RegisterFilter(), "about": [],
            "codes": Codes(refs.disciplines.all, refs.levels)}


def export_register(target, flt: RegisterFilter, user) -> ExportResult:
    """Write every declared sheet for the risks that ``flt`` selects to ``target`` (a path or a
    binary file). Sheets and headers are Dutch, whatever the user's language."""
    with force_locale("nl"):
        context = _context(user, flt)
        sheets = write_workbook(target, registry().sheets, context)
    return ExportResult(risks=context.get("risks", 0), history=context.get("history", 0),
                        sheets=sheets)


def export_template(target, user=None) -> None:
    """The blank import template: the sheets that declare a template part."""
    with force_locale("nl"):
        write_template(target, registry().sheets, _context(user))


def plan_file(data: bytes, filename: str, user, config) -> WorkbookPlan:
    """Read and check every importable sheet of an uploaded workbook. Writes nothing."""
    limits = limits_from_config(config)
    context = _context(user)
    context["filename"] = filename
    specs = registry().sheets
    plan = plan_workbook(data, filename, specs, limits, context,
                         lambda problem: describe(problem, limits, default_sheet="Register"))
    allowed = {spec.key for spec in specs if spec.names and spec.may_import(user)}
    for sheet_plan in plan.sheets:
        if (sheet_plan.new or sheet_plan.changed) and sheet_plan.key not in allowed:
            sheet_plan.errors.insert(0, Message(
                _("U mag dit blad niet inlezen: laat het ongewijzigd of haal het uit het bestand "
                  "(%(count)s nieuwe of gewijzigde rijen).",
                  count=len(sheet_plan.new) + len(sheet_plan.changed)),
                sheet=sheet_plan.sheet))
    return plan


def apply_import(plan: WorkbookPlan, user) -> None:
    """Write a plan without errors or conflicts in the caller's transaction."""
    apply_workbook(plan)
    record("import", "register", plan.filename, user, summary=coded(
        "import", new=len(plan.new), changed=len(plan.changed), unchanged=plan.unchanged,
        conflicts=len(plan.conflicts), errors=len(plan.all_errors)))
