"""The continuity plan's and exercise's fields: the one place that describes them (see
``lms_risk/core/fields.py``). Audit keys: a plan's field by name, a recovery step as
``step.<n>``, an exercise's field by name, a finding as ``finding.<n>``."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..bia.fields import NumberField, minutes_label  # noqa: F401  (minutes_label re-exported)
from ..core.fields import Field, FieldSet

PLAN_STATUS_LABELS = {"concept": _l("Concept"), "actief": _l("Actief"),
                      "vervallen": _l("Vervallen")}
FALLBACK_LABELS = {"uitwijk": _l("Uitwijk"), "overname": _l("Overname")}
EXERCISE_KIND_LABELS = {"tabletop": _l("Tabletop"), "failover": _l("Technische failover"),
                        "uitwijk": _l("Volledige uitwijk")}
RESULT_LABELS = {"geslaagd": _l("Geslaagd"), "deels": _l("Deels geslaagd"),
                 "niet_geslaagd": _l("Niet geslaagd")}

PLAN_FIELDS = FieldSet([
    Field("title", _l("Titel"), "Titel", "Title", required=True, max_length=200, width=36),
    Field("meldkamer", _l("Meldkamer"), "Meldkamer", "Dispatch centre", kind="ref",
          ref="meldkamers", model_attr="meldkamer_id", width=18),
    Field("voorziening", _l("Voorziening"), "Voorziening", "Service", kind="ref",
          ref="voorzieningen", model_attr="voorziening_id", width=22),
    Field("status", _l("Status"), "Status", "Status", kind="choice", choices=PLAN_STATUS_LABELS,
          required=True, default="concept", width=12),
    Field("scope", _l("Reikwijdte"), "Reikwijdte", "Scope", kind="longtext", width=36, wrap=True,
          description=_l("Welke processen, voorzieningen en locaties het plan dekt.")),
    Field("activation_criteria", _l("Activeringscriteria"), "Activeringscriteria",
          "Activation criteria", kind="longtext", width=36, wrap=True),
    Field("decided_by", _l("Wie besluit tot activering"), "Besluit door", "Decided by",
          max_length=200, width=24),
    Field("roles", _l("Rollen"), "Rollen", "Roles", kind="longtext", width=30, wrap=True),
    Field("fallback_meldkamer", _l("Uitwijkmeldkamer"), "Uitwijkmeldkamer",
          "Fallback dispatch centre", kind="ref", ref="meldkamers",
          model_attr="fallback_meldkamer_id", width=18),
    Field("fallback_kind", _l("Soort terugval"), "Soort terugval", "Fallback kind",
          kind="choice", choices=FALLBACK_LABELS, width=12),
    Field("manual_procedures", _l("Handmatige procedures"), "Handmatige procedures",
          "Manual procedures", kind="longtext", width=36, wrap=True),
    Field("communication", _l("Communicatie"), "Communicatie", "Communication", kind="longtext",
          width=36, wrap=True),
    NumberField("target_minutes", _l("Hersteldoel"), "Hersteldoel (min)", "Recovery target (min)",
                kind="int", description=_l("Binnen hoeveel minuten het plan de dienst herstelt.")),
    Field("review_date", _l("Reviewdatum"), "Reviewdatum", "Review date", kind="date", width=14),
])

STEP_FIELDS = FieldSet([
    Field("description", _l("Stap"), "Stap", "Step", required=True, max_length=2000, width=40),
    Field("responsible", _l("Verantwoordelijke"), "Verantwoordelijke", "Responsible",
          max_length=200, width=20),
    NumberField("target_minutes", _l("Doeltijd"), "Doeltijd (min)", "Target (min)", kind="int",
                description=_l("In minuten na activering.")),
])

EXERCISE_FIELDS = FieldSet([
    Field("held_on", _l("Datum"), "Datum", "Date", kind="date", required=True, width=12),
    Field("kind", _l("Soort oefening"), "Soort", "Kind", kind="choice",
          choices=EXERCISE_KIND_LABELS, required=True, width=18),
    Field("scenario", _l("Scenario"), "Scenario", "Scenario", kind="longtext", width=36,
          wrap=True),
    Field("participants", _l("Deelnemers"), "Deelnemers", "Participants", kind="longtext",
          width=30, wrap=True),
    NumberField("achieved_minutes", _l("Gerealiseerde hersteltijd"),
                "Hersteltijd (min)", "Recovery time (min)", kind="int",
                description=_l("In minuten: hoe lang het herstel in de oefening duurde.")),
    Field("result", _l("Resultaat"), "Resultaat", "Result", kind="choice",
          choices=RESULT_LABELS, width=14),
    Field("notes", _l("Toelichting"), "Toelichting", "Notes", kind="longtext", width=36,
          wrap=True),
])

PlanData = PLAN_FIELDS.dataclass("PlanData", extra=[("steps", list, None)])
StepData = STEP_FIELDS.dataclass("StepData")
ExerciseData = EXERCISE_FIELDS.dataclass("ExerciseData", extra=[("findings", list, None)])

OTHER_LABELS = {"version": _l("Versie"), "approved": _l("Vastgesteld"), "bia": _l("BIA"),
                "risk": _l("Risico"), "plan": _l("Plan"), "finding": _l("Bevinding"),
                "exercise": _l("Oefening")}


def field_label(key: str) -> str:
    head, _dot, rest = key.partition(".")
    if head == "step" and rest:
        return _("Herstelstap %(n)s", n=rest)
    if head == "finding" and rest:
        return _("Bevinding %(n)s", n=rest)
    if key in PLAN_FIELDS.by_name:
        return PLAN_FIELDS.label(key)
    if key in EXERCISE_FIELDS.by_name:
        return EXERCISE_FIELDS.label(key)
    return str(OTHER_LABELS.get(key, key))


def show_value(key: str, value, refs):
    if key in PLAN_FIELDS.by_name:
        return PLAN_FIELDS.show(key, value, refs)
    if key in EXERCISE_FIELDS.by_name:
        return EXERCISE_FIELDS.show(key, value, refs)
    if key == "approved" and value is True:
        return _("ja")
    return value
