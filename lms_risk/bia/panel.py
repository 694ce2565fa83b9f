"""The BIA panel on the risk page: the BIAs linked to the risk with their MTPD and RTO (current
version), and, for who may link, a form to link another. A constant number of queries."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..core.forms import EmptyForm
from .fields import minutes_label
from .forms import BiaLinkForm
from .models import Bia
from .permissions import can_edit_risks, can_link_any, can_link_risk, can_read_bia
from .queries import bias_for_risks, targets


def risk_panel(risk, user) -> dict | None:
    if not can_read_bia(user):
        return None
    bias = bias_for_risks([risk.id])[risk.id]
    found = targets([b.id for b in bias])
    risk_editor = can_edit_risks(user)
    rows = [(b, found.get(b.id), risk_editor or can_link_risk(user, b)) for b in bias]
    form = None
    if can_link_any(user) and risk.archived_at is None:
        linked = {b.id for b in bias}
        if risk_editor:  # every BIA: its code and subject are all the choice needs
            options = [b for b in db.session.execute(select(Bia.id, Bia.code, Bia.subject)
                                                     .order_by(Bia.code))
                       if b.id not in linked]
        else:
            options = [b for b in db.session.scalars(select(Bia).order_by(Bia.code).options(
                selectinload(Bia.meldkamers))) if b.id not in linked and can_link_risk(user, b)]
        if options:
            form = BiaLinkForm()
            form.bia.choices = [("", "–")] + [(b.code, f"{b.code} {b.subject}") for b in options]
    return {"rows": rows, "form": form, "button_form": EmptyForm(),
            "minutes_label": minutes_label}
