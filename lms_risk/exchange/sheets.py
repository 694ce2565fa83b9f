"""The Over deze export sheet: who exported what, when, with which filters; filled last."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from .. import __version__
from ..excel.workbook import SheetSpec
from ..excel.writer import Column
from ..extensions import db

TZ = ZoneInfo("Europe/Amsterdam")


SORT_WORDS = {"priority": "prioriteit", "bruto": "bruto prioriteit", "code": "code",
              "title": "titel", "updated": "laatst gewijzigd", "review": "volgende review"}


def describe_filter(flt) -> str:
    """The filter in Dutch words, as the workbook says it ("Over deze export")."""
    from ..reference.data import refdata
    from ..risks.labels import status_label

    refs = refdata()

    def name(items, code):
        item = items.by_code.get(code)
        return f"{item.name_nl} ({code})" if item and item.name_nl != code else code

    parts = [f"raakt {name(refs.disciplines, flt.discipline)}" if flt.discipline
             else "alle disciplines"]
    if flt.meldkamer:
        parts.append(f"meldkamer {name(refs.meldkamers, flt.meldkamer)}")
    if flt.voorziening:
        parts.append(f"voorziening {name(refs.voorzieningen, flt.voorziening)}")
    if flt.category:
        parts.append(f"categorie {name(refs.categories, flt.category)}")
    if flt.status is None:
        parts.append("status: alle behalve gesloten")
    elif flt.status == "all":
        parts.append("status: alle, ook gesloten")
    else:
        parts.append(f"status {status_label(flt.status)}")
    if flt.review == "overdue":
        parts.append("review verlopen")
    if flt.level:
        level = refs.level_by_code.get(flt.level)
        parts.append(f"niveau {level.name_nl if level else flt.level}")
    if flt.likelihood or flt.impact:
        parts.append(f"heatmapcel kans {flt.likelihood or '–'} × impact {flt.impact or '–'}")
    if flt.owner:
        parts.append(f"eigenaar {flt.owner}")
    if flt.q:
        parts.append(f"zoektekst “{flt.q}”")
    parts.append(f"{flt.basis} score")
    sort = flt.sort
    if sort.startswith("priority-"):
        sort_words = f"prioriteit {sort.split('-', 1)[1]}"
    else:
        sort_words = SORT_WORDS.get(sort, sort)
    parts.append(f"gesorteerd op {sort_words}")
    return "; ".join(parts)


class AboutSheet(SheetSpec):
    key = "about"
    order = 100
    last = True

    def open(self, book, context):
        return book.sheet("Over deze export", [Column("Onderdeel", 28), Column("Waarde", 90, wrap=True)],
                          autofilter=False)

    def fill(self, handle, context):
        filters = "; ".join(f"{k}={v}" for k, v in context["filter"].to_args().items()) or "geen"
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        who = getattr(context["user"], "display_name", None) or "lms-risk (opdrachtregel)"
        rows = [
            ("Geëxporteerd door", who),
            ("Geëxporteerd op", datetime.now(UTC).astimezone(TZ).replace(tzinfo=None)),
            ("Filters", describe_filter(context["filter"])),
            ("Filters in de link", filters),
            ("Aantal risico's", context.get("risks", 0)),
            *context.get("about", []),
            ("Versie lms-risk", __version__),
            ("Databaserevisie", revision or ""),
            ("Bewerken en opnieuw inlezen",
             "Alleen het blad Register wordt ingelezen. Kolommen met een keuzelijst mogen worden "
             "gewijzigd; Prioriteit en Niveau worden berekend en bij inlezen genegeerd. Laat de "
             "kolom Versie staan: een rij met een oudere versie dan het register wordt niet "
             "toegepast."),
            ("Bladen", ", ".join(context["sheet_titles"])),
        ]
        for label, value in rows:
            handle.write([label, value], {0: {"bold": True}})
