"""The register as a workbook for the risk board and its auditors.

Sheets (names and headers in Dutch, whatever the user's language): Register (one row per risk,
the columns of ``columns.py``, drop-downs on what may be edited for re-import), one sheet per
discipline by that discipline's netto priority, Heatmap, Matrix (the legend), Lijsten (codes for
editing), Historie (score changes, for roles that may see history) and Over deze export.

Memory stays flat whatever the number of risks: rows are fetched in chunks of ids and written
through ``lms_risk.excel`` in constant-memory mode; the heatmap counts are tallied from the very
rows written, so the Heatmap sheet always agrees with the Register sheet.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select, text

from .. import __version__
from ..risks.permissions import can_view_history
from ..auth.models import User
from ..excel.writer import Column, SafeWorkbook, sheet_title
from ..extensions import db
from ..risks.labels import field_label
from ..matrix.models import ImpactClass, ImpactDescription, LikelihoodClass, MatrixCell, RiskLevel
from ..reference.models import Category, Discipline, Meldkamer, Voorziening
from ..risks.labels import STATUS_LABELS
from ..risks.models import DisciplineImpact, Risk, ScoreChange, risk_meldkamer, risk_voorziening
from ..risks.register import DI_SORT, Codes, RegisterFilter, discipline_select, ordered_select
from .columns import register_columns

CHUNK = 900  # ids per query: below SQLite's bound-parameter limit
TZ = ZoneInfo("Europe/Amsterdam")
SHEET_REGISTER = "Register"
SHEET_HEATMAP = "Heatmap"
SHEET_MATRIX = "Matrix"
SHEET_LISTS = "Lijsten"
SHEET_HISTORY = "Historie"
SHEET_ABOUT = "Over deze export"
YES, NO = "ja", "nee"


@dataclass
class ExportResult:
    risks: int = 0
    history: int = 0
    sheets: list[str] = field(default_factory=list)


class _Reference:
    """Everything the sheets name by id, loaded once."""

    def __init__(self):
        self.disciplines = list(db.session.scalars(
            select(Discipline).order_by(Discipline.sort_order, Discipline.id)))
        self.levels = {lvl.id: lvl for lvl in db.session.scalars(
            select(RiskLevel).order_by(RiskLevel.rank))}
        self.categories = {c.id: c for c in db.session.scalars(
            select(Category).order_by(Category.sort_order))}
        self.meldkamers = {m.id: m for m in db.session.scalars(
            select(Meldkamer).order_by(Meldkamer.sort_order))}
        self.voorzieningen = {v.id: v for v in db.session.scalars(
            select(Voorziening).order_by(Voorziening.sort_order))}
        self.likelihoods = list(db.session.scalars(
            select(LikelihoodClass).order_by(LikelihoodClass.value)))
        self.impacts = list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value)))
        self.cells = {(c.likelihood_value, c.impact_value): c.level_id
                      for c in db.session.scalars(select(MatrixCell))}
        self.statuses = {code: str(label) for code, label in STATUS_LABELS.items()}
        self.level_styles = {
            lvl.id: {"bg_color": lvl.colour, "font_color": lvl.text_colour, "bold": True,
                     "align": "center"} for lvl in self.levels.values()}

    def level_name(self, level_id) -> str:
        level = self.levels.get(level_id)
        return level.name_nl if level else ""


def export_register(target, flt: RegisterFilter, user) -> ExportResult:
    """Write the workbook for the risks that ``flt`` selects to ``target`` (path or binary file)."""
    with force_locale("nl"):
        return _export(target, flt, user)


def _export(target, flt: RegisterFilter, user) -> ExportResult:
    ref = _Reference()
    codes = Codes(ref.disciplines, list(ref.levels.values()))
    result = ExportResult()
    with_history = can_view_history(user)
    with SafeWorkbook(target) as book:
        # Sheets are added in reading order first and filled afterwards: each streams on its own.
        columns = register_columns([d.code for d in ref.disciplines])
        register = book.sheet(SHEET_REGISTER, [Column(c.header, c.width, c.wrap) for c in columns])
        per_discipline = {d.code: book.sheet(discipline_sheet_name(d), DISCIPLINE_COLUMNS)
                          for d in ref.disciplines}
        heatmap = book.sheet(SHEET_HEATMAP, freeze=False, autofilter=False)
        matrix = book.sheet(SHEET_MATRIX, freeze=False, autofilter=False)
        lists = book.sheet(SHEET_LISTS, LIST_COLUMNS)
        history = book.sheet(SHEET_HISTORY, HISTORY_COLUMNS) if with_history else None
        about = book.sheet(SHEET_ABOUT, [Column("Onderdeel", 28), Column("Waarde", 90, wrap=True)],
                           autofilter=False)

        counts = _write_register(register, columns, flt, codes, ref, result)
        _add_validation(register, columns, ref)
        for d in ref.disciplines:
            _write_discipline(per_discipline[d.code], flt, d, codes, ref)
        _write_heatmaps(heatmap, counts, ref)
        _write_matrix(matrix, ref)
        _write_lists(lists, ref)
        if history is not None:
            result.history = _write_history(history, flt, codes, ref)
        result.sheets = [ws.name for ws in book.book.worksheets()]
        _write_about(about, flt, user, result, with_history)
    return result


def discipline_sheet_name(discipline) -> str:
    """'AMB - Ambulancezorg'; shortened where Excel's 31 characters do not hold the whole name."""
    for name in (f"{discipline.code} - {discipline.name_nl}",
                 f"{discipline.code} - {discipline.name_nl.split(' /')[0]}"):
        if len(sheet_title(name)) == len(name):
            return sheet_title(name)
    return sheet_title(discipline.code)


# --- Register -------------------------------------------------------------------------------

def _write_register(sheet, columns, flt, codes, ref: _Reference, result: ExportResult) -> Counter:
    stmt, _, _ = ordered_select(flt, codes)
    conn = db.session.connection()  # Core rows: the ORM's result machinery costs more than SQL
    ids = list(conn.execute(stmt.with_only_columns(Risk.id)).scalars())
    disciplines = [(d.id, d.code) for d in ref.disciplines]
    index = {c.key: i for i, c in enumerate(columns)}
    # Where each discipline's cells and the register-wide level sit in a row.
    slots = [(d_id, index[f"{code}.applies"]) for d_id, code in disciplines]
    level_cols = (index["netto_priority"], index["netto_level"])
    width = len(columns)
    counts: Counter = Counter()  # (discipline id or None, basis, likelihood, impact) -> risks
    for start in range(0, len(ids), CHUNK):
        for r, impacts, meldkamers, voorzieningen in _records(conn, ids[start:start + CHUNK], ref):
            values = [None] * width
            category = ref.categories.get(r.category_id)
            values[:12] = (r.code, r.title, r.description, r.cause, r.consequence,
                           category.name_nl if category else None, r.owner,
                           ref.statuses.get(r.status, r.status), ", ".join(sorted(meldkamers)),
                           ", ".join(sorted(voorzieningen)), r.bruto_likelihood,
                           r.netto_likelihood)
            styles = {}
            style = ref.level_styles.get(r.netto_level_id)
            if style:
                styles[level_cols[0]] = styles[level_cols[1]] = style
            for d_id, col in slots:
                di = impacts.get(d_id)
                if di is not None and di.applies:
                    values[col:col + 5] = (YES, di.bruto_impact, di.netto_impact,
                                           di.netto_priority or None, di.rationale)
                    style = ref.level_styles.get(di.netto_level_id)
                    if style:
                        styles[col + 3] = style
                    if di.bruto_impact:
                        counts[(d_id, "bruto", r.bruto_likelihood, di.bruto_impact)] += 1
                    if di.netto_impact:
                        counts[(d_id, "netto", r.netto_likelihood, di.netto_impact)] += 1
                else:
                    values[col] = NO
                    values[col + 4] = di.rationale if di is not None else None
            values[width - 5:] = (r.netto_priority or None, ref.level_name(r.netto_level_id),
                                  ref.level_name(r.target_level_id), r.next_review, r.version)
            if r.bruto_impact:
                counts[(None, "bruto", r.bruto_likelihood, r.bruto_impact)] += 1
            if r.netto_impact:
                counts[(None, "netto", r.netto_likelihood, r.netto_impact)] += 1
            sheet.write(values, styles)
            result.risks += 1
    sheet.finish()
    return counts


def _records(conn, ids: list[int], ref: _Reference):
    """(risk row, {discipline id: impact row}, meldkamer codes, voorziening codes) for these ids,
    in this order: four queries."""
    risks = {r.id: (r, {}, [], []) for r in conn.execute(
        select(Risk.__table__).where(Risk.id.in_(ids)))}
    for i in conn.execute(select(DisciplineImpact.__table__).where(
            DisciplineImpact.risk_id.in_(ids))):
        risks[i.risk_id][1][i.discipline_id] = i
    for risk_id, mk in conn.execute(select(risk_meldkamer).where(
            risk_meldkamer.c.risk_id.in_(ids))):
        risks[risk_id][2].append(ref.meldkamers[mk].code)
    for risk_id, vz in conn.execute(select(risk_voorziening).where(
            risk_voorziening.c.risk_id.in_(ids))):
        risks[risk_id][3].append(ref.voorzieningen[vz].code)
    return [risks[i] for i in ids if i in risks]


def _add_validation(sheet, columns, ref: _Reference) -> None:
    """Drop-downs on the columns that are read back on import; computed columns get none."""
    lik = [c.value for c in ref.likelihoods]
    imp = [c.value for c in ref.impacts]
    for col, column in enumerate(columns):
        name = column.key.split(".")[-1]
        if not column.editable:
            continue
        if name == "status":
            sheet.validate_list(col, list(ref.statuses.values()), title="Status",
                                message="Kies een status uit de lijst.")
        elif name == "category":
            sheet.validate_list(col, f"='{SHEET_LISTS}'!$B$2:$B${len(ref.categories) + 1}",
                                title="Categorie", message="Kies een categorie uit de lijst.")
        elif name == "target_level":
            sheet.validate_list(col, [lvl.name_nl for lvl in ref.levels.values()],
                                title="Streefniveau", message="Kies een niveau uit de lijst.")
        elif name == "applies":
            sheet.validate_list(col, [YES, NO], title="Van toepassing",
                                message="Vul ja of nee in.")
        elif name.endswith("likelihood") and lik:
            sheet.validate_whole(col, min(lik), max(lik), title="Kans",
                                 message=f"Een kans van {min(lik)} tot en met {max(lik)}.")
        elif name.endswith("_impact") and imp:
            sheet.validate_whole(col, min(imp), max(imp), title="Impact",
                                 message=f"Een impact van {min(imp)} tot en met {max(imp)}.")


# --- One sheet per discipline ---------------------------------------------------------------

DISCIPLINE_COLUMNS = [
    Column("Code", 10), Column("Titel", 50, wrap=True), Column("Status", 15),
    Column("Eigenaar", 28, wrap=True), Column("Bruto kans", 10), Column("Bruto impact", 10),
    Column("Bruto prioriteit", 10), Column("Netto kans", 10), Column("Netto impact", 10),
    Column("Netto prioriteit", 10), Column("Niveau", 12), Column("Toelichting", 50, wrap=True),
    Column("Volgende review", 14),
]


def _write_discipline(sheet, flt: RegisterFilter, discipline, codes, ref: _Reference) -> None:
    stmt = discipline_select(flt, discipline.code, codes).with_only_columns(
        Risk.code, Risk.title, Risk.status, Risk.owner, Risk.bruto_likelihood,
        DI_SORT.bruto_impact, DI_SORT.bruto_priority, DI_SORT.bruto_level_id,
        Risk.netto_likelihood, DI_SORT.netto_impact, DI_SORT.netto_priority,
        DI_SORT.netto_level_id, DI_SORT.rationale, Risk.next_review)
    # The option goes on the statement: Connection.execution_options() would change the session's
    # connection for every later statement.
    for row in db.session.connection().execute(stmt.execution_options(yield_per=2000)):
        (code, title, status, owner, bl, bi, bp, blevel, nl, ni, np, nlevel, why, review) = row
        styles = {}
        if blevel in ref.level_styles:
            styles[6] = ref.level_styles[blevel]
        if nlevel in ref.level_styles:
            styles[9] = styles[10] = ref.level_styles[nlevel]
        sheet.write([code, title, ref.statuses.get(status, status), owner, bl, bi, bp or None,
                     nl, ni, np or None, ref.level_name(nlevel), why, review], styles)
    sheet.finish()


# --- Heatmap and matrix ---------------------------------------------------------------------

def _write_heatmaps(sheet, counts: Counter, ref: _Reference) -> None:
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


def _write_matrix(sheet, ref: _Reference) -> None:
    ws = sheet.ws
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2 + len(ref.disciplines), 45)
    head = {"bold": True, "bg_color": "#DCE6F1", "text_wrap": True}
    sheet.write(["Risicomatrix: de legenda van deze export"], {0: {"bold": True, "font_size": 12}})
    sheet.skip()
    sheet.write(["Niveaus", "Naam", "Kleur"], {0: head, 1: head, 2: head})
    for level in ref.levels.values():
        sheet.write([level.code, level.name_nl, level.colour], {2: ref.level_styles[level.id]})
    sheet.skip()
    sheet.write(["Kans", "Naam", "Omschrijving"], {0: head, 1: head, 2: head})
    for c in ref.likelihoods:
        sheet.write([c.value, c.label_nl, c.description_nl])
    sheet.skip()
    special = {(d.impact_value, d.discipline_id): d.description_nl
               for d in db.session.scalars(select(ImpactDescription))}
    headers = ["Impact", "Naam", "Omschrijving (algemeen)"] + [
        f"Omschrijving voor {d.code}" for d in ref.disciplines]
    sheet.write(headers, {i: head for i in range(len(headers))})
    for c in ref.impacts:
        sheet.write([c.value, c.label_nl, c.description_nl]
                    + [special.get((c.value, d.id), "") for d in ref.disciplines],
                    {i: {"text_wrap": True} for i in range(2, len(headers))})
    sheet.skip()
    sheet.write(["Raster", "kans ↓ / impact →"] + [f"{i.value} {i.label_nl}" for i in ref.impacts],
                {i: head for i in range(len(ref.impacts) + 2)})
    for c in reversed(ref.likelihoods):
        styles = {n: ref.level_styles[ref.cells[(c.value, i.value)]]
                  for n, i in enumerate(ref.impacts, 2) if (c.value, i.value) in ref.cells}
        sheet.write(["", f"{c.value} {c.label_nl}"]
                    + [ref.level_name(ref.cells.get((c.value, i.value))) for i in ref.impacts],
                    styles)


LIST_COLUMNS = [Column("Lijst", 16), Column("Waarde in het register", 44), Column("Code", 14),
                Column("Toelichting", 50, wrap=True)]


def _write_lists(sheet, ref: _Reference) -> None:
    """Codes and names to fill in on the Register sheet. Categories come first: the Register's
    drop-down refers to their range (B2:B…)."""
    for c in ref.categories.values():
        sheet.write(["Categorie", c.name_nl, c.code, c.name_en])
    for code, label in ref.statuses.items():
        sheet.write(["Status", label, code, ""])
    for m in ref.meldkamers.values():
        sheet.write(["Meldkamer", m.name_nl, m.code,
                     "In de kolom Meldkamers: codes, gescheiden door komma's; leeg is landelijk."])
    for v in ref.voorzieningen.values():
        sheet.write(["Voorziening", v.name_nl, v.code,
                     "In de kolom Voorzieningen: codes, gescheiden door komma's."])
    for level in ref.levels.values():
        sheet.write(["Niveau", level.name_nl, level.code, ""], {1: ref.level_styles[level.id]})
    for d in ref.disciplines:
        sheet.write(["Discipline", d.name_nl, d.code, ""])
    sheet.finish()


# --- History and about ----------------------------------------------------------------------

HISTORY_COLUMNS = [
    Column("Risico", 10), Column("Discipline", 11), Column("Veld", 16), Column("Oud", 8),
    Column("Nieuw", 8), Column("Wie", 28), Column("Wanneer", 17), Column("Reden", 60, wrap=True),
]


def _write_history(sheet, flt: RegisterFilter, codes, ref: _Reference) -> int:
    stmt, _, _ = ordered_select(flt, codes)
    ids = stmt.with_only_columns(Risk.id).order_by(None).scalar_subquery()
    disciplines = {d.id: d.code for d in ref.disciplines}
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


def _write_about(sheet, flt: RegisterFilter, user, result: ExportResult,
                 with_history: bool) -> None:
    filters = "; ".join(f"{k}={v}" for k, v in flt.to_args().items()) or "geen"
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    who = getattr(user, "display_name", None) or "lms-risk (opdrachtregel)"
    rows = [
        ("Geëxporteerd door", who),
        ("Geëxporteerd op", _local(datetime.now(UTC))),
        ("Filters", filters),
        ("Aantal risico's", result.risks),
        ("Scorewijzigingen in Historie", result.history if with_history
         else "niet opgenomen: deze rol mag de historie niet inzien"),
        ("Versie lms-risk", __version__),
        ("Databaserevisie", revision or ""),
        ("Bewerken en opnieuw inlezen",
         "Alleen het blad Register wordt ingelezen. Kolommen met een keuzelijst mogen worden "
         "gewijzigd; Prioriteit en Niveau worden berekend en bij inlezen genegeerd. Laat de kolom "
         "Versie staan: een rij met een oudere versie dan het register wordt niet toegepast."),
        ("Bladen", ", ".join(result.sheets)),
    ]
    for label, value in rows:
        sheet.write([label, value], {0: {"bold": True}})


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).replace(tzinfo=None)


def _number(value: str | None):
    return int(value) if value is not None and value.isdigit() else value


def export_template(target) -> None:
    """The blank import template: the Register sheet's headers and drop-downs, the matrix legend
    and the code lists, and how to fill it in."""
    with force_locale("nl"):
        ref = _Reference()
        with SafeWorkbook(target) as book:
            columns = register_columns([d.code for d in ref.disciplines])
            register = book.sheet(SHEET_REGISTER,
                                  [Column(c.header, c.width, c.wrap) for c in columns])
            matrix = book.sheet(SHEET_MATRIX, freeze=False, autofilter=False)
            lists = book.sheet(SHEET_LISTS, LIST_COLUMNS)
            about = book.sheet("Toelichting", [Column("Onderdeel", 28),
                                               Column("Uitleg", 100, wrap=True)], autofilter=False)
            register.finish()
            _add_validation(register, columns, ref)
            _write_matrix(matrix, ref)
            _write_lists(lists, ref)
            for label, value in TEMPLATE_HELP:
                about.write([label, value], {0: {"bold": True}})


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
