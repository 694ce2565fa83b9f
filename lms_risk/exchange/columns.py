"""The columns of the Register sheet: Dutch header (as exported), English alias, and how to read
them back. Headers match by name, case- and space-insensitively, in any order."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RegisterColumn:
    key: str  # field name; per-discipline keys look like "AMB.netto_impact"
    header: str  # Dutch, as exported
    alias: str  # English
    kind: str = "text"  # text, int, date, bool, codes
    width: int = 14
    editable: bool = True  # read back on import; other columns are computed and ignored
    wrap: bool = False


FIXED_LEADING = [
    RegisterColumn("code", "Code", "Code", width=10),
    RegisterColumn("title", "Titel", "Title", width=48, wrap=True),
    RegisterColumn("description", "Beschrijving", "Description", width=50, wrap=True),
    RegisterColumn("cause", "Oorzaak", "Cause", width=40, wrap=True),
    RegisterColumn("consequence", "Gevolg", "Consequence", width=40, wrap=True),
    RegisterColumn("category", "Categorie", "Category", width=26),
    RegisterColumn("owner", "Eigenaar", "Owner", width=28),
    RegisterColumn("status", "Status", "Status", width=16),
    RegisterColumn("meldkamers", "Meldkamers", "Dispatch centres", kind="codes", width=22, wrap=True),
    RegisterColumn("voorzieningen", "Voorzieningen", "Services", kind="codes", width=22, wrap=True),
    RegisterColumn("bruto_likelihood", "Bruto kans", "Gross likelihood", kind="int", width=11),
    RegisterColumn("netto_likelihood", "Netto kans", "Net likelihood", kind="int", width=11),
]
FIXED_TRAILING = [
    RegisterColumn("netto_priority", "Prioriteit", "Priority", kind="int", width=11, editable=False),
    RegisterColumn("netto_level", "Niveau", "Level", width=12, editable=False),
    RegisterColumn("target_level", "Streefniveau", "Target level", width=13),
    RegisterColumn("next_review", "Volgende review", "Next review", kind="date", width=16),
    RegisterColumn("version", "Versie", "Version", kind="int", width=9),
]
DISCIPLINE_PARTS = [
    # (field, Dutch suffix, English suffix, kind, width, editable)
    ("applies", "van toepassing", "applies", "bool", 10, True),
    ("bruto_impact", "bruto impact", "gross impact", "int", 10, True),
    ("netto_impact", "netto impact", "net impact", "int", 10, True),
    ("netto_priority", "prioriteit", "priority", "int", 10, False),
    ("rationale", "toelichting", "rationale", "text", 30, True),
]
DISCIPLINE_HEADER = re.compile(
    r"^(?P<code>[A-Za-z0-9_]{1,20})\s+(?P<part>"
    + "|".join(re.escape(p) for part in DISCIPLINE_PARTS for p in part[1:3]) + r")$",
    re.IGNORECASE,
)


def register_columns(discipline_codes: list[str]) -> list[RegisterColumn]:
    per_discipline = [
        RegisterColumn(f"{code}.{field}", f"{code} {nl}", f"{code} {en}", kind=kind, width=width,
                       editable=editable, wrap=field == "rationale")
        for code in discipline_codes
        for field, nl, en, kind, width, editable in DISCIPLINE_PARTS
    ]
    return FIXED_LEADING + per_discipline + FIXED_TRAILING


def normalise(header) -> str:
    return " ".join(str(header or "").split()).casefold()


def match_header(header, columns: list[RegisterColumn]) -> RegisterColumn | None:
    wanted = normalise(header)
    for column in columns:
        if wanted in (normalise(column.header), normalise(column.alias)):
            return column
    return None


def unknown_discipline(header) -> str | None:
    """The code of a per-discipline header whose discipline the register does not know."""
    m = DISCIPLINE_HEADER.match(normalise(header))
    return m["code"].upper() if m else None
