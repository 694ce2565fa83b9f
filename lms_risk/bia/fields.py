"""The BIA's fields: the one place that describes them (see ``lms_risk/core/fields.py``).

``BIA_FIELDS`` are the subject's (kept across versions), ``VERSION_FIELDS`` a version's,
``ROW_FIELDS`` those of one impact category (row) of a version's grid. Audit keys: the subject's by
name, a version's as ``v.<name>``, a grid cell as ``grid.<category>.<window>``, a row's as
``row.<category>.<name>``, the BIV classification as ``biv.b`` … ``biv.bbn``.
"""

from functools import lru_cache

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from ..core.fields import Field, FieldSet
from ..i18n import current_language
from ..reference.models import Discipline, Meldkamer


class NumberField(Field):
    """A whole number of one's own (minutes, a count): a number input, not a choice."""

    def form_field(self, refs, keep=()):
        return IntegerField(self.label, validators=[Optional(), NumberRange(min=0)],
                            description=self.description)

    def clean(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, int) or value < 0:
            raise ValueError(_("geen geheel getal"))
        return value


def minutes_label(minutes) -> str:
    """15 -> '15 min', 240 -> '4 u', 2880 -> '2 d' (Dutch; English: h and d). In a request each
    number is translated once per language (a page shows the same few in many rows)."""
    if minutes is None:
        return "–"
    if not has_request_context():
        return _minutes_label(minutes)
    return _label_in(current_language(), minutes)


@lru_cache(maxsize=1024)
def _label_in(language: str, minutes) -> str:
    # called with the request's own language: the catalogue gives the same text every time
    return _minutes_label(minutes)


def _minutes_label(minutes) -> str:
    if minutes and minutes % 1440 == 0:
        return _("%(n)s d", n=minutes // 1440)
    if minutes and minutes % 60 == 0:
        return _("%(n)s u", n=minutes // 60)
    return _("%(n)s min", n=minutes)


_MINUTES = _l("In minuten.")

BIA_FIELDS = FieldSet([
    Field("subject", _l("Proces of voorziening"), "Onderwerp", "Subject", required=True,
          max_length=200, width=30),
    Field("voorziening", _l("Voorziening"), "Voorziening", "Service", kind="ref",
          ref="voorzieningen", model_attr="voorziening_id", width=22),
    Field("owner", _l("Eigenaar"), "Eigenaar", "Owner", max_length=200, width=24),
    Field("meldkamers", _l("Meldkamers"), "Meldkamers", "Dispatch centres", kind="refs",
          ref="meldkamers", model_class=Meldkamer, width=22, wrap=True),
    Field("disciplines", _l("Disciplines"), "Disciplines", "Disciplines", kind="refs",
          ref="disciplines", model_class=Discipline, width=18),
    Field("next_review", _l("Volgende review"), "Volgende review", "Next review", kind="date",
          width=16),
])

VERSION_FIELDS = FieldSet([
    Field("assessment_date", _l("Datum analyse"), "Datum analyse", "Assessment date",
          kind="date", width=14),
    NumberField("rto_minutes", _l("RTO"), "RTO (min)", "RTO (min)", kind="int",
                description=_l("Hersteltijd: binnen hoeveel minuten het weer moet werken.")),
    NumberField("rpo_minutes", _l("RPO"), "RPO (min)", "RPO (min)", kind="int",
                description=_l("Hoeveel minuten aan gegevens er hoogstens verloren mag gaan.")),
    NumberField("mbco_minutes", _l("MBCO"), "MBCO (min)", "MBCO (min)", kind="int",
                description=_l("Binnen hoeveel minuten de minimale dienstverlening er weer is.")),
    Field("mbco", _l("Minimale dienstverlening"), "Minimale dienstverlening",
          "Minimum service level", kind="longtext", width=30, wrap=True),
    NumberField("mtpd_override_minutes", _l("MTPD (handmatig)"), "MTPD handmatig (min)",
                "MTPD override (min)", kind="int",
                description=_l("Leeg: de MTPD volgt uit het raster. In minuten.")),
    Field("mtpd_override_reason", _l("Reden handmatige MTPD"), "Reden MTPD", "MTPD reason",
          kind="longtext", width=30, wrap=True),
])

ROW_FIELDS = FieldSet([
    Field("justification", _l("Onderbouwing"), "onderbouwing", "justification",
          kind="longtext", width=30, wrap=True),
    NumberField("quantity", _l("Schatting"), "schatting", "estimate", kind="int"),
    Field("unit", _l("Eenheid"), "eenheid", "unit", max_length=200, width=20),
])

BiaData = BIA_FIELDS.dataclass("BiaData")
VersionData = VERSION_FIELDS.dataclass("VersionData")
RowData = ROW_FIELDS.dataclass("RowData")

DEPENDENCY_KIND_LABELS = {
    "bia": _l("BIA-onderwerp"),
    "voorziening": _l("Voorziening"),
    "supplier": _l("Leverancier"),
    "location": _l("Locatie"),
    "person": _l("Persoon"),
}
BIV_LABELS = {"b": _l("Beschikbaarheid"), "i": _l("Integriteit"), "v": _l("Vertrouwelijkheid"),
              "bbn": _l("BBN"), "reason": _l("Reden")}
OTHER_LABELS = {"version": _l("Versie"), "approved": _l("Vastgesteld"),
                "dependency": _l("Afhankelijkheid"), "recovery_minutes": _l("Hersteltijd"), "risk": _l("Risico")}


def field_label(key: str, config=None) -> str:
    """An audit key as a reader reads it: 'grid.LEVEN.4u' -> 'Mensenlevens en gezondheid · 4 uur'."""
    from ..i18n import localized
    parts = key.split(".")
    if parts[0] == "v" and len(parts) == 2:
        return VERSION_FIELDS.label(parts[1])
    if parts[0] == "biv" and len(parts) == 2:
        return str(BIV_LABELS.get(parts[1], parts[1]))
    if parts[0] in ("grid", "row") and len(parts) == 3:
        from .config import bia_config
        config = config or bia_config()
        category = config.category_by_code.get(parts[1])
        name = localized(category) if category else parts[1]
        if parts[0] == "grid":
            window = config.window_by_code.get(parts[2])
            return f"{name} · {localized(window) if window else parts[2]}"
        return f"{name} · {ROW_FIELDS.label(parts[2])}"
    if key in OTHER_LABELS:
        return str(OTHER_LABELS[key])
    return BIA_FIELDS.label(key)


def show_value(key: str, value, refs):
    if key in BIA_FIELDS.by_name:
        return BIA_FIELDS.show(key, value, refs)
    if key == "approved" and value is True:
        return _("ja")
    return value


SETTING_LABELS = {"code": _l("Code"), "name_nl": _l("Naam (NL)"), "name_en": _l("Naam (EN)"),
                  "minutes": _l("Minuten"), "sort_order": _l("Volgorde"), "active": _l("Actief"),
                  "mtpd_threshold": _l("MTPD-drempel")}


def setting_label(key: str) -> str:
    """An audit key of the BIA settings: a field of a window or category, the threshold, or a
    BBN rule cell ('B3I1V1')."""
    return str(SETTING_LABELS.get(key, key))
