"""The Register sheet's columns, derived from the field specification: the risk's fields, then per
discipline its impact fields and priority, then the computed and key columns. Headers match by
name (Dutch or English), case- and space-insensitively, in any order."""

import re

from ..excel.workbook import SheetColumn
from .fields import IMPACT_FIELDS, RISK_FIELDS

# Where the per-discipline block and the computed columns sit among the risk's fields.
AFTER_DISCIPLINES = ("target_level", "next_review")


def _field_column(spec, key: str, header: str, alias: str, refs) -> SheetColumn:
    return SheetColumn(key=key, header=header, alias=alias, width=spec.width, wrap=spec.wrap,
                       editable=True, parser=spec.parser(refs), allowed=spec.allowed(refs))


def register_columns(discipline_codes: list[str], refs) -> list[SheetColumn]:
    columns = [SheetColumn("code", "Code", "Code", width=10, editable=True)]
    columns += [_field_column(f, f.name, f.header, f.header_en, refs) for f in RISK_FIELDS
                if f.name not in AFTER_DISCIPLINES]
    for code in discipline_codes:
        for f in IMPACT_FIELDS:
            columns.append(_field_column(f, f"{code}.{f.name}", f"{code} {f.header}",
                                         f"{code} {f.header_en}", refs))
            if f.name == "netto_impact":
                columns.append(SheetColumn(f"{code}.netto_priority", f"{code} prioriteit",
                                           f"{code} priority", width=10))
    columns += [SheetColumn("netto_priority", "Prioriteit", "Priority", width=11),
                SheetColumn("netto_level", "Niveau", "Level", width=12)]
    columns += [_field_column(RISK_FIELDS[name], name, RISK_FIELDS[name].header,
                              RISK_FIELDS[name].header_en, refs) for name in AFTER_DISCIPLINES]
    columns.append(SheetColumn("version", "Versie", "Version", width=9))
    return columns


_PARTS = "|".join(re.escape(p) for f in IMPACT_FIELDS for p in (f.header, f.header_en)) \
    + "|prioriteit|priority"
DISCIPLINE_HEADER = re.compile(r"^(?P<code>[A-Za-z0-9_]{1,20})\s+(?P<part>" + _PARTS + r")$",
                               re.IGNORECASE)


def unknown_discipline(header) -> str | None:
    """The code of a per-discipline header whose discipline the register does not know."""
    m = DISCIPLINE_HEADER.match(" ".join(str(header or "").split()).casefold())
    return m["code"].upper() if m else None
