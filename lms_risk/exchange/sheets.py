"""The Over deze export sheet: who exported what, when, with which filters; filled last."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from .. import __version__
from ..excel.workbook import SheetSpec
from ..excel.writer import Column
from ..extensions import db

TZ = ZoneInfo("Europe/Amsterdam")


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
            ("Filters", filters),
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
