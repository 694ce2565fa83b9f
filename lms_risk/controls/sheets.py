"""The controls' sheets of the workbook: Maatregelen (every control of every framework, for
reading) and Verklaring van Toepasselijkheid (one row per implementation record; imported: the
editable columns update implementations, checked cell by cell, previewed, all or nothing).

An unedited export re-imports as zero changes: every editable cell is written as its parser reads
it back (codes for status and discipline, ja/nee, dates). A changed row of an existing record
needs its Versie (the record's revision, as exported): a row made from an older revision is
refused on that cell, so an old export cannot overwrite a newer change unnoticed; a new row (a
control and scope without a record) needs none."""

from dataclasses import asdict

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.fields import Field, parse_revision, stale_row
from ..core.workbook import message
from ..excel.reader import column_letters
from ..excel.workbook import Change, SheetColumn, SheetPlan, SheetSpec, match_columns
from ..excel.writer import Column
from ..extensions import db
from .fields import STATUS_LABELS
from .models import STATUSES, Control, Framework, Implementation
from .permissions import can_edit_scope, can_edit_some_scope
from .scopes import scope_by_key, scope_by_param
from .services import FIELDS, ControlError, ImplementationData, current_data, refuse_retired, \
    set_implementation, validate

CONTROLS_SHEET = "Maatregelen"
VVT_SHEET = "Verklaring van Toepasselijkheid"
VVT_NAMES = (VVT_SHEET, "Verklaring van toepasselijkheid", "Statement of Applicability", "VvT")
CHUNK = 900
YES, NO = "ja", "nee"

CONTROL_COLUMNS = [Column("Raamwerk", 14), Column("Versie", 8), Column("Maatregel", 12),
                   Column("URN", 40), Column("Onderdeel van", 12), Column("Diepte", 7),
                   Column("Titel", 50, wrap=True), Column("Titel (Engels)", 40, wrap=True),
                   Column("Toetsbaar", 10), Column("BBN", 6), Column("Labels", 20),
                   Column("Ingetrokken", 12)]

# The implementation's fields as cells: (field spec, data attribute).
_STATUS_CHOICES = {s: STATUS_LABELS[s] for s in STATUSES}
VVT_FIELDS = [
    Field("applicable", "", "Van toepassing", "Applicable", kind="bool", width=12),
    Field("reason", "", "Reden niet van toepassing", "Reason not applicable", kind="longtext",
          width=30, wrap=True),
    Field("status", "", "Status", "Status", kind="choice", choices=_STATUS_CHOICES, width=14),
    Field("owner", "", "Eigenaar", "Owner", max_length=200, width=20),
    Field("discipline_id", "", "Verantwoordelijk", "Responsible", kind="ref", ref="disciplines",
          width=14),
    Field("evidence", "", "Bewijs", "Evidence", kind="longtext", width=40, wrap=True),
    Field("evidence_link", "", "Link naar bewijs", "Evidence link", max_length=500, width=30),
    Field("last_checked", "", "Laatst gecontroleerd", "Last checked", kind="date", width=14),
    Field("next_check", "", "Volgende controle", "Next check", kind="date", width=14),
]


def vvt_columns(refs) -> list[SheetColumn]:
    keys = [SheetColumn("framework", "Raamwerk", "Framework", 14),
            SheetColumn("ref_id", "Maatregel", "Control", 12),
            SheetColumn("title", "Titel", "Title", 40, wrap=True),
            SheetColumn("bbn", "BBN", "BBN", 6),
            SheetColumn("urn", "URN", "URN", 36),
            SheetColumn("scope", "Scope", "Scope", 22)]
    return keys + [SheetColumn(f.name, f.header, f.header_en, f.width, f.wrap, editable=True,
                               parser=f.parser(refs)) for f in VVT_FIELDS] + [
        SheetColumn("revision", "Versie", "Version", 8, editable=True, parser=parse_revision)]


def _cell(name, value, refs):
    if name == "applicable":
        return YES if value else NO
    if name == "discipline_id":
        item = refs.disciplines.by_id.get(value) if value else None
        return item.code if item else ""
    return value if value is not None else ""


class ControlsSheet(SheetSpec):
    key = "controls"
    order = 70

    def open(self, book, context):
        if not db.session.scalar(select(Framework.id).limit(1)):
            return None
        return book.sheet(CONTROLS_SHEET, CONTROL_COLUMNS)

    def fill(self, sheet, context):
        parent = db.aliased(Control)
        rows = db.session.execute(
            select(Framework.code, Framework.version, Control.ref_id, Control.urn,
                   parent.ref_id, Control.depth, Control.title_nl, Control.title_en,
                   Control.assessable, Control.bbn_level, Control.tags, Control.retired_at)
            .join(Framework, Framework.id == Control.framework_id)
            .outerjoin(parent, parent.id == Control.parent_id)
            .order_by(Framework.code, Control.sort_order, Control.id)
            .execution_options(yield_per=2000))
        for fw, version, ref, urn, parent_ref, depth, title, title_en, assessable, bbn, tags, \
                retired in rows:
            sheet.write([fw, version, ref or "", urn, parent_ref or "", depth, title, title_en,
                         YES if assessable else NO, bbn or "", tags.replace("|", ", "),
                         retired.date() if retired else ""])
        sheet.finish()


class VvtSheet(SheetSpec):
    key = "vvt"
    names = VVT_NAMES
    order = 75
    label = _l("implementaties van maatregelen")

    def row_url(self, item):
        return url_for("controls.detail", control_id=item.ident) if item.ident else None

    def may_import(self, user) -> bool:
        return can_edit_some_scope(user)  # and each row: may this user edit that scope

    def open(self, book, context):
        if not db.session.scalar(select(Framework.id).limit(1)):
            return None
        context.setdefault("code_lists", []).extend(
            ("Status maatregel", str(label), code, "") for code, label in _STATUS_CHOICES.items())
        columns = vvt_columns(context["refs"])
        return book.sheet(VVT_SHEET, [c.column() for c in columns]), columns

    def fill(self, handle, context):
        sheet, columns = handle
        refs = context["refs"]
        rows = db.session.execute(
            select(Implementation, Control.ref_id, Control.urn, Control.title_nl,
                   Control.bbn_level, Framework.code)
            .join(Control, Control.id == Implementation.control_id)
            .join(Framework, Framework.id == Control.framework_id)
            .where(Control.retired_at.is_(None))
            .order_by(Framework.code, Control.sort_order, Control.id, Implementation.scope_key)
            .execution_options(yield_per=2000))
        written = 0
        for impl, ref_id, urn, title, bbn, fw in rows:
            scope = scope_by_key(refs, impl.scope_key)
            sheet.write([fw, ref_id or "", title, bbn or "", urn, scope.param if scope else "",
                         *(_cell(f.name, getattr(impl, f.name), refs) for f in VVT_FIELDS),
                         impl.revision])
            written += 1
        sheet.finish()
        status_col = [c.key for c in columns].index("status")
        sheet.validate_list(status_col, list(STATUSES), title="Status",
                            message="niet, deels of volledig")
        context["about"].append(("Implementaties in Verklaring van Toepasselijkheid", written))

    def plan(self, sheet, context):
        return plan_vvt(sheet, context)


def plan_vvt(sheet, context) -> SheetPlan:
    """Check every row of the VvT sheet against the stored implementations. Writes nothing."""
    user, refs = context["user"], context["refs"]
    name = sheet.name or VVT_SHEET
    plan = SheetPlan(sheet=name)

    def msg(text, **where):
        return message(text, sheet=name, **where)

    columns = vvt_columns(refs)
    found, unknown, repeated = match_columns(sheet.header, columns)
    for index in unknown:
        plan.warnings.append(msg(_("onbekende kolom, genegeerd"), row=1,
                                 column=column_letters(index), header=str(sheet.header[index])))
    for index in repeated:
        plan.errors.append(msg(_("kolom komt twee keer voor"), row=1,
                               column=column_letters(index), header=str(sheet.header[index])))
    at = {column.key: index for index, column in found.items()}
    for key, header in (("urn", "URN"), ("scope", "Scope")):
        if key not in at:
            plan.errors.append(msg(_("de kolom %(name)s ontbreekt", name=header), row=1))
    if plan.errors:
        return plan
    headers = {c.key: c.header for c in columns}
    editable = {index: column for index, column in found.items() if column.editable}

    urns = {str(values[at["urn"]]).strip() for _, values in sheet.rows
            if at["urn"] < len(values) and values[at["urn"]]}
    controls = {}
    urn_list = list(urns)
    for start in range(0, len(urn_list), CHUNK):
        for c in db.session.scalars(select(Control).where(
                Control.urn.in_(urn_list[start:start + CHUNK]))):
            controls[c.urn] = c
    existing = {}
    ids = [c.id for c in controls.values()]
    for start in range(0, len(ids), CHUNK):
        for impl in db.session.scalars(select(Implementation).where(
                Implementation.control_id.in_(ids[start:start + CHUNK]))):
            existing[(impl.control_id, impl.scope_key)] = impl

    todo, seen = [], {}
    for number, values in sheet.rows:
        def cell(key):
            index = at.get(key)
            return values[index] if index is not None and index < len(values) else None
        urn = str(cell("urn") or "").strip()
        control = controls.get(urn)
        if control is None:
            plan.errors.append(msg(_("onbekende maatregel"), row=number,
                                   column=column_letters(at["urn"]), header="URN", value=urn))
            continue
        scope = scope_by_param(refs, str(cell("scope") or "").strip())
        if scope is None:
            plan.errors.append(msg(_("onbekende scope; schrijf voorziening:CODE of meldkamer:CODE"),
                                   row=number, column=column_letters(at["scope"]),
                                   header="Scope", value=cell("scope")))
            continue
        if (control.id, scope.key) in seen:
            plan.errors.append(msg(_("deze maatregel en scope staan al in rij %(row)s",
                                     row=seen[(control.id, scope.key)]), row=number,
                                   column=column_letters(at["scope"]), header="Scope"))
            continue
        seen[(control.id, scope.key)] = number
        impl = existing.get((control.id, scope.key))
        old = current_data(impl)
        data = ImplementationData(**asdict(old))
        ok, revision = True, None
        for index, column in editable.items():
            raw = values[index] if index < len(values) else None
            try:
                value = column.parser(raw)
            except ValueError as error:
                plan.errors.append(msg(str(error), row=number, column=column_letters(index),
                                       header=column.header, value=raw))
                ok = False
                continue
            if column.key == "revision":
                revision = value
                continue
            if column.key == "discipline_id":
                item = refs.disciplines.by_code.get(value) if value else None
                value = item.id if item else None
            if column.key == "status" and value is None:
                value = "niet"
            if column.key == "applicable" and value is None:
                value = True
            if column.key in ("reason", "owner", "evidence", "evidence_link"):
                value = value or ""
            setattr(data, column.key, value)
        if not ok:
            continue
        try:
            validate(data)
        except ControlError as error:
            for key, text in error.errors.items():
                index = at.get(key)
                plan.errors.append(msg(text, row=number, header=headers.get(key, key),
                                       column=column_letters(index) if index is not None
                                       else None))
            continue
        if data == old:
            plan.unchanged += 1
            continue
        if control.retired_at is not None:
            try:
                refuse_retired([control])
            except ControlError as error:
                plan.errors.append(msg(error.errors["control"], row=number,
                                       column=column_letters(at["urn"]), header="URN", value=urn))
                continue
        if impl is not None:
            refusal = stale_row(_("maatregel %(control)s in %(scope)s", control=control.label,
                                   scope=scope.param), revision, impl.revision)
            if refusal:
                index = at.get("revision")
                plan.errors.append(msg(refusal, row=number, header=headers["revision"],
                                       column=column_letters(index) if index is not None
                                       else None))
                continue
        if not can_edit_scope(user, scope):
            plan.errors.append(msg(_("u mag de implementaties van %(scope)s niet wijzigen",
                                     scope=scope.code), row=number,
                                   column=column_letters(at["scope"]), header="Scope"))
            continue
        change = Change(row=number, code=f"{control.label} · {scope.code}",
                        title=control.title_nl,
                        fields=[(headers[k], _shown(k, getattr(old, k), refs),
                                 _shown(k, getattr(data, k), refs))
                                for k in FIELDS if getattr(old, k) != getattr(data, k)],
                        ident=control.id)
        (plan.changed if impl is not None else plan.new).append(change)
        todo.append((control, scope, data, impl, revision if impl is not None else None))

    def apply():
        for control, scope, data, impl, revision in todo:
            set_implementation(control, scope, data, user, impl=impl, expected_revision=revision)

    plan.apply = apply
    return plan


def _shown(key, value, refs):
    if key == "discipline_id":
        item = refs.disciplines.by_id.get(value) if value else None
        return item.code if item else None
    if key == "applicable":
        return YES if value else NO
    return value


SHEETS = [ControlsSheet(), VvtSheet()]
