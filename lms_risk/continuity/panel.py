"""The risk page's panel: the plans linked to the risk, each with its last exercise and result,
and the exercise findings that point at the risk (two queries, whatever their number)."""

from flask_login import current_user

from ..core.forms import EmptyForm
from ..reference.data import refdata
from .fields import EXERCISE_KIND_LABELS, RESULT_LABELS, minutes_label
from .forms import LinkPlanForm
from .permissions import can_create_plan, can_edit_plan
from .queries import findings_for_risk, plans_for_risk


def risk_panel(risk, user) -> dict:
    rows = plans_for_risk(risk.id)
    meldkamers = refdata().meldkamers.by_id  # not each plan's own lazy load
    return {"plans": [(plan, exercise, can_edit_plan(user, plan), meldkamers.get(plan.meldkamer_id))
                      for plan, exercise in rows],
            "findings": findings_for_risk(risk.id),
            "can_link": can_create_plan(user) and risk.archived_at is None,
            "link_form": LinkPlanForm(),
            "button_form": EmptyForm(), "kind_labels": EXERCISE_KIND_LABELS,
            "result_labels": RESULT_LABELS, "minutes_label": minutes_label,
            "user": current_user}
