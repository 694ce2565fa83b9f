"""Security controls: catalogues (BIO, BIO2, NIS2/Cbw), implementation per scope, the Verklaring
van Toepasselijkheid, the BBN gap analysis, the NIS2 view and links from risks to controls."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..core.features import EntityType, Feature, MenuEntry, RiskPanel, TextReferences
from ..reference.data import refdata
from . import models  # noqa: F401  (the tables belong to the metadata)
from . import citations
from .cli import import_controls_command
from .demo import load_demo_controls
from .fields import LINK_LABELS, RELATION_LABELS, STATUS_SHORT, field_label, show_value, \
    status_label
from .insight import risk_controls
from .permissions import can_edit_scope, can_link_risks, can_load_catalogues, \
    can_read_controls, can_set_levels
from .sheets import SHEETS
from .views import bp


def _covering_links(covering, detail_url: str, relation_labels: dict) -> Markup:
    """The controls that cover a measure, as the NIS2 view lists them: a link to each with its
    relationship (``relation_labels``: translated once per page), comma-separated. Joined here
    rather than in the template: the view of one scope lists every measure with all its
    controls, thousands of links, and the template's expressions per link were most of that
    page's time."""
    url = escape(detail_url)
    return Markup(", ".join(
        f'<a href="{url}{escape(control_id)}">{escape(code)} {escape(label)}</a> '
        f'<span class="text-muted">({escape(relation_labels.get(relation, relation))})</span>'
        for control_id, label, code, relation in covering))


def _panel(risk, user):
    if not can_read_controls(user):
        return None
    return {"controls": risk_controls(risk.id, refdata())}


FEATURE = Feature(
    name="controls",
    blueprint=bp,
    commands=[import_controls_command],
    sheets=SHEETS,
    demo=load_demo_controls,
    menu=[MenuEntry("controls.index", _l("Maatregelen"), visible=can_read_controls, order=35,
                    active=("controls",))],
    admin_links=[MenuEntry("controls.upload", _l("Catalogus met maatregelen laden"),
                           visible=can_load_catalogues, order=60)],
    entities=[EntityType("control", _l("maatregel"),
                         url=lambda ident: url_for("controls.detail", control_id=int(ident))
                         if str(ident).isdigit() else None,
                         field_label=field_label,
                         show=lambda key, value: show_value(key, value, refdata())),
              EntityType("control_framework", _l("raamwerk"), field_label=field_label),
              EntityType("control_mapping_set", _l("koppelingen tussen raamwerken"),
                         field_label=field_label),
              EntityType("control_scope", _l("BBN-niveau van een scope"),
                         field_label=field_label,
                         show=lambda key, value: show_value(key, value, refdata()))],
    actions={"load": _l("catalogus geladen"), "implementation": _l("implementatie gewijzigd"),
             "link_control": _l("risico gekoppeld"), "unlink_control": _l("risico ontkoppeld"),
             "bbn_level": _l("BBN-niveau gezet")},
    risk_panels=[RiskPanel("controls", _l("Maatregelen"), "controls/panels/risk_controls.html",
                           context=_panel, order=50)],
    text_references=[TextReferences(
        "controls", _l("Gekoppelde maatregelen aanhalen"), citations.PATTERN,
        resolve=citations.resolve, template="controls/panels/cited.html",
        refused=citations.refused, offer=citations.offer)],
    permissions={"can_load_catalogues": can_load_catalogues,
                 "can_edit_control_scope": can_edit_scope, "can_link_risks": can_link_risks,
                 "can_set_bbn_levels": can_set_levels},
    template_globals={"control_status_label": status_label,
                      "control_status_short": lambda s: str(STATUS_SHORT.get(s, s)),
                      "control_relation_label": lambda r: str(RELATION_LABELS.get(r, r)),
                      "control_relation_labels": lambda: {k: str(v) for k, v in
                                                          RELATION_LABELS.items()},
                      "control_covering_links": _covering_links,
                      "control_link_label": lambda k: str(LINK_LABELS.get(k, k)),
                      "control_field_label": field_label,
                      "control_show": lambda k, v: show_value(k, v, refdata()),
                      "can_edit_scope": can_edit_scope},
    order=40,
)
