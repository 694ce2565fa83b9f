"""Business impact analyses (BIA): per process or voorziening, in versions, with the impact grid,
MTPD, RTO, RPO, MBCO, dependencies and the BIV classification with its BBN level."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.features import EntityType, Feature, MenuEntry, RiskPanel
from ..reference.data import refdata
from .demo import demo_bia, load_demo_bias
from .fields import field_label, setting_label, show_value
from .panel import risk_panel
from .sheets import SHEETS
from .permissions import can_admin_bia, can_create_bia, can_edit_bia, can_read_bia
from .views import bp

FEATURE = Feature(
    name="bia",
    blueprint=bp,
    commands=[demo_bia],
    sheets=SHEETS,
    demo=load_demo_bias,
    menu=[MenuEntry("bia.index", _l("BIA's"), visible=can_read_bia, order=30, active=("bia",))],
    admin_links=[MenuEntry("bia.admin", _l("BIA: perioden, impactcategorieën, MTPD-drempel en "
                                           "BBN-regel"), visible=can_admin_bia, order=60)],
    entities=[EntityType("bia", _l("BIA"),
                         url=lambda code: url_for("bia.detail", code=code),
                         field_label=field_label,
                         show=lambda key, value: show_value(key, value, refdata())),
              EntityType("bia_config", _l("BIA-instellingen"),
                         url=lambda _key: url_for("bia.admin"), field_label=setting_label)],
    actions={"new_version": _l("nieuwe versie"), "approve": _l("vastgesteld"),
             "classify": _l("geclassificeerd"), "link": _l("gekoppeld"),
             "unlink": _l("ontkoppeld")},
    risk_panels=[RiskPanel("bia", _l("BIA's"), "bia/_risk_panel.html", context=risk_panel,
                           order=50)],
    permissions={"can_create_bia": can_create_bia, "can_edit_bia": can_edit_bia},
    order=30,
)
