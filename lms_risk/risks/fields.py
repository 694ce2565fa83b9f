"""The risk's fields and a discipline's impact fields: the one place that describes them.

Forms, the service's data objects (``RiskData``, ``ImpactData``), assignment, the audit snapshot
and its labels, the Register sheet's columns and the import's parsers are all derived from these
lists (see ``lms_risk/core/fields.py``)."""

from dataclasses import field

from flask_babel import lazy_gettext as _l

from ..core.fields import Field, FieldSet
from ..reference.models import Meldkamer, Voorziening
from .labels import STATUS_LABELS

RISK_FIELDS = FieldSet([
    Field("title", _l("Titel"), "Titel", "Title", required=True, max_length=300, width=48,
          wrap=True),
    Field("description", _l("Beschrijving"), "Beschrijving", "Description", kind="longtext",
          width=50, wrap=True),
    Field("cause", _l("Oorzaak"), "Oorzaak", "Cause", kind="longtext", width=40, wrap=True),
    Field("consequence", _l("Gevolg"), "Gevolg", "Consequence", kind="longtext", width=40,
          wrap=True),
    Field("category", _l("Categorie"), "Categorie", "Category", kind="ref", ref="categories",
          model_attr="category_id", width=26),
    Field("owner", _l("Eigenaar"), "Eigenaar", "Owner", max_length=200, width=28),
    Field("status", _l("Status"), "Status", "Status", kind="choice", choices=STATUS_LABELS,
          required=True, default="concept", width=16),
    Field("meldkamers", _l("Meldkamers"), "Meldkamers", "Dispatch centres", kind="refs",
          ref="meldkamers", model_class=Meldkamer, width=22, wrap=True),
    Field("voorzieningen", _l("Voorzieningen"), "Voorzieningen", "Services", kind="refs",
          ref="voorzieningen", model_class=Voorziening, width=22, wrap=True),
    Field("bruto_likelihood", _l("Bruto kans"), "Bruto kans", "Gross likelihood", kind="int",
          scale="likelihoods", required=True, score=True, width=11),
    Field("netto_likelihood", _l("Netto kans"), "Netto kans", "Net likelihood", kind="int",
          scale="likelihoods", required=True, score=True, width=11),
    Field("target_level", _l("Streefniveau"), "Streefniveau", "Target level", kind="ref",
          ref="levels", model_attr="target_level_id", width=13),
    Field("next_review", _l("Volgende review"), "Volgende review", "Next review", kind="date",
          width=16),
])

# Per discipline; keys in snapshots and columns are "<CODE>.<name>", form fields "<CODE>-<name>".
IMPACT_FIELDS = FieldSet([
    Field("applies", _l("Van toepassing"), "van toepassing", "applies", kind="bool",
          default=False, score=True, width=10),
    Field("bruto_impact", _l("Bruto impact"), "bruto impact", "gross impact", kind="int",
          scale="impacts", score=True, width=10),
    Field("netto_impact", _l("Netto impact"), "netto impact", "net impact", kind="int",
          scale="impacts", score=True, width=10),
    Field("rationale", _l("Toelichting"), "toelichting", "rationale", kind="longtext",
          width=30, wrap=True),
])

ImpactData = IMPACT_FIELDS.dataclass("ImpactData")
RiskData = RISK_FIELDS.dataclass(
    "RiskData",
    # discipline code -> ImpactData; a discipline left out is left as it is (not applicable when new)
    extra=[("impacts", dict, field(default_factory=dict))])

SCORE_FIELDS = tuple(f.name for f in RISK_FIELDS if f.score)
IMPACT_SCORE_FIELDS = tuple(f.name for f in IMPACT_FIELDS if f.score)


def field_label(key: str) -> str:
    """'AMB.netto_impact' -> 'AMB · Netto impact'; 'title' -> 'Titel'; unknown keys as they are."""
    prefix, _, name = key.rpartition(".")
    if prefix:
        return f"{prefix} · {IMPACT_FIELDS.label(name)}"
    name = LEGACY_KEYS.get(name, name)
    if name in EVENT_LABELS:
        return str(EVENT_LABELS[name])
    # A score change names an impact field without its discipline (that is a column of its own).
    return IMPACT_FIELDS.label(name) if name in IMPACT_FIELDS.by_name else RISK_FIELDS.label(name)


# Keys of the archive and delete events that are no field of the risk.
EVENT_LABELS = {"archived_reason": _l("Reden van archiveren"),
                "score_changes": _l("Scorehistorie (aantal wijzigingen)")}

# Audit events recorded before the field specification named these by their column.
LEGACY_KEYS = {"category_id": "category", "target_level_id": "target_level"}


def show_value(key: str, value, refs):
    """A recorded value as a reader understands it (names, not codes or ids)."""
    prefix, _, name = key.rpartition(".")
    if prefix:
        return IMPACT_FIELDS.show(name, value, refs)
    name = LEGACY_KEYS.get(name, name)
    spec = RISK_FIELDS.by_name.get(name)
    if spec is not None and spec.kind == "ref" and isinstance(value, int) \
            and not isinstance(value, bool):
        # Events recorded before the field specification held the reference's id.
        item = refs.level_by_id.get(value) if spec.ref == "levels" else \
            refs.list(spec.ref).by_id.get(value)
        return value if item is None else spec.show(item.code, refs)
    return RISK_FIELDS.show(name, value, refs)


# Fields that the form and the risk page place by hand; any other field is shown after them, so a
# new field needs no template edit (a template line only to place it elsewhere).
PLACED = ("title", "description", "cause", "consequence", "category", "owner", "status",
          "meldkamers", "voorzieningen", "bruto_likelihood", "netto_likelihood", "target_level",
          "next_review")
EXTRA_FIELDS = tuple(f.name for f in RISK_FIELDS if f.name not in PLACED)


def extra_values(risk, refs) -> list[tuple[str, object]]:
    """(label, shown value) of the fields the risk page does not place by hand."""
    out = []
    for name in EXTRA_FIELDS:
        spec = RISK_FIELDS[name]
        value = spec.show(spec.from_model(risk, refs), refs)
        out.append((name, spec.label, ", ".join(value) if isinstance(value, list) else value))
    return out
