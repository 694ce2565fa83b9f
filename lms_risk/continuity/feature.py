"""Continuity: plans per meldkamer and/or voorziening (fallback, recovery steps, approval),
exercises with their findings, links to risks and BIAs, and the board's overview with the
takeover matrix of the meldkamers."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.features import EntityType, Feature, MenuEntry, RiskPanel
from ..reference.data import refdata
from .demo import demo_continuity, load_demo_plans
from .fields import field_label, show_value
from .panel import risk_panel
from .sheets import SHEETS
from .permissions import can_create_plan, can_edit_plan, can_make_risk, can_read_continuity
from .views import bp

FEATURE = Feature(
    name="continuity",
    blueprint=bp,
    commands=[demo_continuity],
    demo=load_demo_plans,
    menu=[MenuEntry("continuity.index", _l("Continuïteit"), visible=can_read_continuity,
                    order=35, active=("continuity",))],
    entities=[
        EntityType("continuity_plan", _l("Continuïteitsplan"),
                   url=lambda code: url_for("continuity.plan", code=code),
                   field_label=field_label,
                   show=lambda key, value: show_value(key, value, refdata())),
        EntityType("continuity_exercise", _l("Oefening"),
                   url=lambda code: url_for("continuity.exercise", code=code),
                   field_label=field_label,
                   show=lambda key, value: show_value(key, value, refdata())),
    ],
    actions={"approve": _l("vastgesteld"), "new_version": _l("nieuwe versie"),
             "link": _l("gekoppeld"), "unlink": _l("ontkoppeld"),
             "finding": _l("bevinding uit oefening")},
    sheets=SHEETS,
    risk_panels=[RiskPanel("continuity", _l("Continuïteitsplannen"),
                           "continuity/panel.html", context=risk_panel, order=40)],
    permissions={"can_create_plan": can_create_plan, "can_edit_plan": can_edit_plan,
                 "can_make_risk": can_make_risk},
    order=35,
)
