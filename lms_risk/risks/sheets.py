"""The register's sheets of the workbook: Register (one row per risk, the columns of
``columns.py``, drop-downs on what may be edited for re-import; also imported), one sheet per
discipline by that discipline's netto priority, Heatmap, Historie (score changes, for roles that
may see history), and the template's Toelichting.

Memory stays flat whatever the number of risks: rows are fetched in chunks of ids and written
through ``lms_risk.excel`` in constant-memory mode; the heatmap counts are tallied from the very
rows written, so the Heatmap sheet always agrees with the Register sheet.
"""

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..auth.models import User
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.rows import rows_among
from ..core.workbook import message
from ..excel.reader import column_letters
from ..excel.workbook import SheetSpec, match_columns
from ..excel.writer import Column, sheet_title
from ..extensions import db
from .columns import register_columns
from .fields import RISK_FIELDS, field_label
from .importer import SHEET_NAMES, plan_register
from .labels import STATUS_LABELS
from .models import DisciplineImpact, Risk, ScoreChange, risk_meldkamer, risk_voorziening
from .permissions import can_edit_risks, can_view_history
from .register import DI_SORT, discipline_select, ordered_select

CHUNK = 900  # ids per query: below SQLite's bound-parameter limit
TZ = ZoneInfo("Europe/Amsterdam")
YES, NO = "ja", "nee"


class RegisterSheet(SheetSpec):
    key = "register"
    names = SHEET_NAMES
    order = 10
    label = _l("risico’s")

    def may_import(self, user) -> bool:
        return can_edit_risks(user)

    def row_url(self, item):
        return url_for("risks.detail", code=item.code)

    def _columns(self, context):
        ref = context["sheet_refs"]
        # The Lijsten sheet lists the statuses too, in the export and in the blank template.
        context.setdefault("code_lists", []).extend(
            ("Status", str(label), code, "") for code, label in STATUS_LABELS.items())
        return register_columns([d.code for d in ref.disciplines], ref.data)

    def open(self, book, context):
        columns = self._columns(context)
        return book.sheet(SHEET_NAMES[0], [c.column() for c in columns]), columns

    def fill(self, handle, context):
        sheet, columns = handle
        context["heatmap_counts"] = _write_register(sheet, columns, context)
        _add_validation(sheet, columns, context)

    def template(self, book, context):
        columns = self._columns(context)
        sheet = book.sheet(SHEET_NAMES[0], [c.column() for c in columns])
        sheet.finish()
        _add_validation(sheet, columns, context)
        return True

    def plan(self, sheet, context):
        plan = plan_register(sheet, context)
        _refuse_archived(plan, sheet, context)
        return plan


def _refuse_archived(plan, sheet, context) -> None:
    """A changed row of an archived risk is an error on its Code cell: an archived risk is not
    edited (restore it first), not by the form and not by a workbook. Unchanged rows stay
    unchanged, so an export of archived risks re-imports as zero changes."""
    codes = [change.code for change in plan.changed]
    archived = {code for code, in rows_among(
        db.session.connection(), select(Risk.code).where(Risk.archived_at.is_not(None)),
        Risk.__table__.c.code, codes, at=0, whole=len(codes) > CHUNK)}
    if not archived:
        return
    refs = context["refs"]
    columns = register_columns([d.code for d in refs.disciplines.all], refs)
    found, _unknown, _repeated = match_columns(sheet.header, columns)
    index = next((i for i, column in found.items() if column.key == "code"), None)
    letter = column_letters(index) if index is not None else None
    name = sheet.name or SHEET_NAMES[0]
    for change in plan.changed:
        if change.code in archived:
            plan.errors.append(message(
                _("risico %(code)s is gearchiveerd: herstel het eerst om het te wijzigen",
                  code=change.code), sheet=name, row=change.row, column=letter, header="Code",
                value=change.code))
    plan.changed = [change for change in plan.changed if change.code not in archived]


class DisciplineSheets(SheetSpec):
    key = "disciplines"
    order = 20

    def open(self, book, context):
        return {d.code: (d, book.sheet(discipline_sheet_name(d), DISCIPLINE_COLUMNS))
                for d in context["sheet_refs"].disciplines}

    def fill(self, handle, context):
        for discipline, sheet in handle.values():
            _write_discipline(sheet, discipline, context)


class HeatmapSheet(SheetSpec):
    key = "heatmap"
    order = 30

    def open(self, book, context):
        return book.sheet("Heatmap", freeze=False, autofilter=False)

    def fill(self, handle, context):
        _write_heatmaps(handle, context["heatmap_counts"], context["sheet_refs"])


class HistorySheet(SheetSpec):
    key = "history"
    order = 60

    def open(self, book, context):
        if not can_view_history(context["user"]):
            context["about"].append(("Scorewijzigingen in Historie",
                                     "niet opgenomen: deze rol mag de historie niet inzien"))
            return None
        return book.sheet("Historie", HISTORY_COLUMNS)

    def fill(self, handle, context):
        written = _write_history(handle, context)
        context["about"].append(("Scorewijzigingen in Historie", written))
        context["history"] = written


class TemplateHelpSheet(SheetSpec):
    key = "template_help"
    order = 95

    def open(self, book, context):
        return None

    def template(self, book, context):
        about = book.sheet("Toelichting", [Column("Onderdeel", 28), Column("Uitleg", 100, wrap=True)],
                           autofilter=False)
        for label, value in TEMPLATE_HELP:
            about.write([label, value], {0: {"bold": True}})
        return True


SHEETS = [RegisterSheet(), DisciplineSheets(), HeatmapSheet(), HistorySheet(), TemplateHelpSheet()]


def discipline_sheet_name(discipline) -> str:
    """'AMB - Ambulancezorg'; shortened where Excel's 31 characters do not hold the whole name."""
    for name in (f"{discipline.code} - {discipline.name_nl}",
                 f"{discipline.code} - {discipline.name_nl.split(' /')[0]}"):
        if len(sheet_title(name)) == len(name):
            return sheet_title(name)
    return sheet_title(discipline.code)


# --- Register -------------------------------------------------------------------------------

def _write_register(sheet, columns, context) -> Counter:
    flt, codes, ref = context["filter"], context["codes"], context["sheet_refs"]
    stmt, _ = ordered_select(flt, codes)
    conn = db.session.connection()  # Core rows: the ORM's result machinery costs more than SQL
    ids = list(conn.execute(stmt.with_only_columns(Risk.id)).scalars())
    index = {c.key: i for i, c in enumerate(columns)}
    # Each risk field's column, looked up by key once: plain values are written as they are,
    # codes and ids through a formatter (the hot loop runs 10,000 times and more).
    plain = [(index[f.name], f.attr) for f in RISK_FIELDS if f.kind not in ("ref", "refs", "choice")]
    formatted = [(index[f.name], f.attr, _formatter(f, ref)) for f in RISK_FIELDS
                 if f.kind in ("ref", "choice")]
    linked = [(index[f.name], f.name) for f in RISK_FIELDS if f.kind == "refs"]
    impact_cols = {d.id: {part: index[f"{d.code}.{part}"] for part in
                          ("applies", "bruto_impact", "netto_impact", "netto_priority", "rationale")}
                   for d in ref.disciplines}
    code_col, version_col = index["code"], index["version"]
    priority_col, level_col = index["netto_priority"], index["netto_level"]
    width = len(columns)
    counts: Counter = Counter()  # (discipline id or None, basis, likelihood, impact) -> risks
    written = 0
    for start in range(0, len(ids), CHUNK):
        for r, impacts, links in _records(conn, ids[start:start + CHUNK], ref):
            values = [None] * width
            values[code_col] = r.code
            for col, attr in plain:
                values[col] = getattr(r, attr)
            for col, attr, fmt in formatted:
                values[col] = fmt(getattr(r, attr))
            for col, name in linked:
                values[col] = ", ".join(sorted(links[name]))
            values[version_col] = r.version
            values[priority_col] = r.netto_priority or None
            values[level_col] = ref.level_name(r.netto_level_id)
            styles = {}
            style = ref.level_styles.get(r.netto_level_id)
            if style:
                styles[priority_col] = styles[level_col] = style
            for d_id, cols in impact_cols.items():
                di = impacts.get(d_id)
                if di is not None and di.applies:
                    values[cols["applies"]] = YES
                    values[cols["bruto_impact"]] = di.bruto_impact
                    values[cols["netto_impact"]] = di.netto_impact
                    values[cols["netto_priority"]] = di.netto_priority or None
                    values[cols["rationale"]] = di.rationale
                    style = ref.level_styles.get(di.netto_level_id)
                    if style:
                        styles[cols["netto_priority"]] = style
                    if di.bruto_impact:
                        counts[(d_id, "bruto", r.bruto_likelihood, di.bruto_impact)] += 1
                    if di.netto_impact:
                        counts[(d_id, "netto", r.netto_likelihood, di.netto_impact)] += 1
                else:
                    values[cols["applies"]] = NO
                    values[cols["rationale"]] = di.rationale if di is not None else None
            if r.bruto_impact:
                counts[(None, "bruto", r.bruto_likelihood, r.bruto_impact)] += 1
            if r.netto_impact:
                counts[(None, "netto", r.netto_likelihood, r.netto_impact)] += 1
            sheet.write(values, styles)
            written += 1
    sheet.finish()
    context["risks"] = written
    return counts


def _formatter(spec, ref):
    """Model value -> cell, for one risk field (ids of reference items become Dutch names)."""
    if spec.kind == "ref":
        table = ref.levels if spec.ref == "levels" else ref.data.list(spec.ref).by_id

        def named(value):
            item = table.get(value)
            return item.name_nl if item else None
        return named
    if spec.kind == "choice":
        names = {code: str(label) for code, label in spec.choices.items()}
        return lambda value: names.get(value, value)
    return lambda value: value


def _records(conn, ids: list[int], ref):
    """(risk row, {discipline id: impact row}, {link field: codes}) for these ids, in this
    order: four queries."""
    risks = {r.id: (r, {}, {"meldkamers": [], "voorzieningen": []}) for r in conn.execute(
        select(Risk.__table__).where(Risk.id.in_(ids)))}
    for i in conn.execute(select(DisciplineImpact.__table__).where(
            DisciplineImpact.risk_id.in_(ids))):
        risks[i.risk_id][1][i.discipline_id] = i
    for risk_id, mk in conn.execute(select(risk_meldkamer).where(
            risk_meldkamer.c.risk_id.in_(ids))):
        risks[risk_id][2]["meldkamers"].append(ref.meldkamers[mk].code)
    for risk_id, vz in conn.execute(select(risk_voorziening).where(
            risk_voorziening.c.risk_id.in_(ids))):
        risks[risk_id][2]["voorzieningen"].append(ref.voorzieningen[vz].code)
    return [risks[i] for i in ids if i in risks]


def _add_validation(sheet, columns, context) -> None:
    """Drop-downs on the columns that are read back on import; computed columns get none."""
    ref = context["sheet_refs"]
    lik = [c.value for c in ref.likelihoods]
    imp = [c.value for c in ref.impacts]
    ranges = context.get("list_ranges", {})
    for col, column in enumerate(columns):
        if not column.editable:
            continue
        name = column.key.split(".")[-1]
        title = column.header[:32]
        if name in ranges:  # a long list: the drop-down refers to the Lijsten sheet
            sheet.validate_list(col, ranges[name], title=title, message="Kies uit de lijst.")
        elif column.allowed:
            sheet.validate_list(col, list(column.allowed), title=title, message="Kies uit de lijst.")
        elif name.endswith("likelihood") and lik:
            sheet.validate_whole(col, min(lik), max(lik), title="Kans",
                                 message=f"Een kans van {min(lik)} tot en met {max(lik)}.")
        elif name.endswith("_impact") and imp:
            sheet.validate_whole(col, min(imp), max(imp), title="Impact",
                                 message=f"Een impact van {min(imp)} tot en met {max(imp)}.")


# --- One sheet per discipline ---------------------------------------------------------------

# (key, column): what each column of a discipline's sheet holds, in order.
DISCIPLINE_LAYOUT = [
    ("code", Column("Code", 10)), ("title", Column("Titel", 50, wrap=True)),
    ("status", Column("Status", 15)), ("owner", Column("Eigenaar", 28, wrap=True)),
    ("bruto_likelihood", Column("Bruto kans", 10)), ("bruto_impact", Column("Bruto impact", 10)),
    ("bruto_priority", Column("Bruto prioriteit", 10)),
    ("netto_likelihood", Column("Netto kans", 10)), ("netto_impact", Column("Netto impact", 10)),
    ("netto_priority", Column("Netto prioriteit", 10)), ("netto_level", Column("Niveau", 12)),
    ("rationale", Column("Toelichting", 50, wrap=True)),
    ("next_review", Column("Volgende review", 14)),
]
DISCIPLINE_COLUMNS = [column for _, column in DISCIPLINE_LAYOUT]
_AT = {key: index for index, (key, _) in enumerate(DISCIPLINE_LAYOUT)}


def _write_discipline(sheet, discipline, context) -> None:
    ref = context["sheet_refs"]
    statuses = {code: str(label) for code, label in STATUS_LABELS.items()}  # translated once
    stmt = discipline_select(context["filter"], discipline.code, context["codes"]).with_only_columns(
        Risk.code, Risk.title, Risk.status, Risk.owner, Risk.bruto_likelihood,
        DI_SORT.bruto_impact, DI_SORT.bruto_priority, Risk.netto_likelihood, DI_SORT.netto_impact,
        DI_SORT.netto_priority, DI_SORT.rationale, Risk.next_review,
        DI_SORT.bruto_level_id, DI_SORT.netto_level_id)
    styles_of = ref.level_styles
    bruto_at, netto_at, level_at = _AT["bruto_priority"], _AT["netto_priority"], _AT["netto_level"]
    # The option goes on the statement: Connection.execution_options() would change the session's
    # connection for every later statement.
    for row in db.session.connection().execute(stmt.execution_options(yield_per=2000)):
        m = row._mapping
        values = [None] * len(DISCIPLINE_LAYOUT)
        for key, index in _AT.items():
            if key in m:
                values[index] = m[key]
        values[_AT["status"]] = statuses.get(m["status"], m["status"])
        values[bruto_at] = m["bruto_priority"] or None
        values[netto_at] = m["netto_priority"] or None
        values[level_at] = ref.level_name(m["netto_level_id"])
        styles = {}
        if m["bruto_level_id"] in styles_of:
            styles[bruto_at] = styles_of[m["bruto_level_id"]]
        if m["netto_level_id"] in styles_of:
            styles[netto_at] = styles[level_at] = styles_of[m["netto_level_id"]]
        sheet.write(values, styles)
    sheet.finish()


# --- Heatmap and matrix ---------------------------------------------------------------------

def _write_heatmaps(sheet, counts: Counter, ref) -> None:
    """Per scope (register-wide, then each discipline) a netto and a bruto grid side by side,
    likelihood rows from high to low, cells in the level's colour."""
    ws = sheet.ws
    width = len(ref.impacts) + 2  # row label, the cells, a gap
    ws.set_column(0, 0, 22)
    ws.set_column(width, width, 22)
    ws.set_column(1, width - 2, 9)
    ws.set_column(width + 1, width + width - 2, 9)
    title = {"bold": True, "font_size": 12}
    sheet.write(["Heatmaps: aantal risico's per cel (kans × impact), gekleurd naar het niveau uit "
                 "de risicomatrix. Registerbreed telt elk risico één keer, met de zwaarste "
                 "impact over de disciplines."], {0: {"bold": True}})
    sheet.skip()
    scopes = [(None, "Registerbreed")] + [(d.id, f"{d.code} - {d.name_nl}")
                                          for d in ref.disciplines]
    for code, name in scopes:
        sheet.write([f"{name}: netto"] + [None] * (width - 1) + [f"{name}: bruto"],
                    {0: title, width: title})
        for likelihood in reversed(ref.likelihoods):
            values, styles = [], {}
            for offset, basis in ((0, "netto"), (width, "bruto")):
                cells = [f"{likelihood.value} {likelihood.label_nl}"] + [
                    counts.get((code, basis, likelihood.value, i.value), 0) for i in ref.impacts]
                values += [None] * (offset - len(values)) + cells
                for n, impact in enumerate(ref.impacts, 1):
                    level = ref.cells.get((likelihood.value, impact.value))
                    if level in ref.level_styles:
                        styles[offset + n] = ref.level_styles[level]
            sheet.write(values, styles)
        labels = ["kans ↑ / impact →"] + [f"{i.value} {i.label_nl}" for i in ref.impacts]
        sheet.write(labels + [None] * (width - len(labels)) + labels,
                    {n: {"italic": True, "align": "center", "text_wrap": True}
                     for n in list(range(1, len(labels))) + list(range(width + 1, width + len(labels)))})
        sheet.skip()


# --- History and about ----------------------------------------------------------------------

HISTORY_COLUMNS = [
    Column("Risico", 10), Column("Discipline", 11), Column("Veld", 16), Column("Oud", 8),
    Column("Nieuw", 8), Column("Wie", 28), Column("Wanneer", 17), Column("Reden", 60, wrap=True),
]


def _write_history(sheet, context) -> int:
    ref = context["sheet_refs"]
    stmt, _ = ordered_select(context["filter"], context["codes"])
    ids = stmt.with_only_columns(Risk.id).order_by(None).scalar_subquery()
    disciplines = {d.id: d.code for d in ref.all_disciplines}
    query = (select(Risk.code, ScoreChange.discipline_id, ScoreChange.field, ScoreChange.old_value,
                    ScoreChange.new_value, User.name, User.email, ScoreChange.changed_at,
                    ScoreChange.reason)
             .join(Risk, Risk.id == ScoreChange.risk_id)
             .outerjoin(User, User.id == ScoreChange.user_id)
             .where(ScoreChange.risk_id.in_(ids))
             .order_by(Risk.code, ScoreChange.changed_at, ScoreChange.id))
    written = 0
    for code, discipline_id, name, old, new, user_name, email, at, reason in (
            db.session.connection().execute(query.execution_options(yield_per=2000))):
        sheet.write([code, disciplines.get(discipline_id, "alle"),
                     field_label(name), _number(old), _number(new),
                     user_name or email or "systeem", _local(at), reason])
        written += 1
    sheet.finish()
    return written


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).replace(tzinfo=None)


def _number(value: str | None):
    return int(value) if value is not None and value.isdigit() else value


TEMPLATE_HELP = [
    ("Doel", "Nieuwe risico's aanleveren voor het collectieve risicoregister. Vul per risico één "
             "rij in op het blad Register en lees het bestand in via Register → Importeren of "
             "`lms-risk import-register`."),
    ("Code", "Verplicht en uniek, bijvoorbeeld R-1001. Een code die al in het register staat "
             "werkt dat risico bij (dan is de kolom Versie verplicht)."),
    ("Titel", "Verplicht voor een nieuw risico, hoogstens 300 tekens."),
    ("Kans en impact", "Bruto (zonder maatregelen) en netto (met de huidige maatregelen), elk een "
                       "klasse uit het blad Matrix. Netto is nooit hoger dan bruto."),
    ("Per discipline", "Zet 'van toepassing' op ja en vul bruto en netto impact in voor elke "
                       "discipline die het risico raakt; de toelichting mag altijd."),
    ("Meldkamers en voorzieningen", "Codes uit het blad Lijsten, gescheiden door komma's. Geen "
                                    "meldkamer betekent landelijk."),
    ("Berekend", "Prioriteit en Niveau worden door het register berekend en bij inlezen genegeerd."),
    ("Formules", "Vul waarden in, geen formules: een werkmap met formules wordt geweigerd."),
    ("Kolommen", "De kolomnamen mogen in het Nederlands of Engels, in elke volgorde; onbekende "
                 "kolommen worden met een waarschuwing genegeerd."),
]
