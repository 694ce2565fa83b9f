"""The collective risk register: risks, their scores per discipline, the register and heatmaps."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.features import EntityType, Feature, MenuEntry, RiskPanel
from . import levels  # noqa: F401  (re-levels the risks when the matrix's grid changes)
from ..reference.data import refdata
from .citations import rationale_pieces
from .fields import field_label, show_value
from .labels import basis_label, status_label
from .permissions import (
    can_archive_risks,
    can_delete_risks,
    can_edit_risks,
    can_restore_risks,
    can_score,
    can_view_archived,
    can_view_history,
)
from .sheets import SHEETS
from .views import bp


def _history(risk, user):
    return {"history": risk.score_changes} if can_view_history(user) else None


FEATURE = Feature(
    name="risks",
    blueprint=bp,
    sheets=SHEETS,
    menu=[MenuEntry("risks.register", _l("Register"), order=10, active=("risks.register",)),
          MenuEntry("risks.heatmap", _l("Heatmaps"), order=20)],
    entities=[EntityType("risk", _l("risico"),
                         url=lambda code: url_for("risks.detail", code=code),
                         field_label=field_label,
                         show=lambda key, value: show_value(key, value, refdata()))],
    risk_panels=[
        RiskPanel("impacts", _l("Per discipline"), "risks/panels/impacts.html",
                  context=lambda risk, user: {"rationales": rationale_pieces(risk)}, order=10),
        RiskPanel("history", _l("Scorehistorie"), "risks/panels/history.html", context=_history,
                  order=90),
    ],
    actions={"archive": _l("gearchiveerd"), "restore": _l("hersteld")},
    permissions={"can_edit_risks": can_edit_risks, "can_delete_risks": can_delete_risks,
                 "can_archive_risks": can_archive_risks, "can_restore_risks": can_restore_risks,
                 "can_view_archived": can_view_archived,
                 "can_score": can_score, "can_view_history": can_view_history},
    template_globals={"basis_label": basis_label, "field_label": field_label,
                      "status_label": status_label},
    order=10,
)
