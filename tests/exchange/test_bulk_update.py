"""The import's bulk update of changed risks writes exactly what the one-risk update writes: the
same columns (derived priorities and levels included), the same score history and the same audit
event."""

from datetime import date

import pytest

from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.risks.importer import _current_values
from lms_risk.risks.models import DisciplineImpact, Risk, ScoreChange
from lms_risk.risks.services import bulk_update_risks, risk_values, update_risk


def _title(d, refs):
    d.title = "Uitval GMS Rotterdam, herzien"


def _likelihood(d, refs):  # every applying discipline's priority and level follow
    d.bruto_likelihood, d.netto_likelihood = 5, 2


def _impact(d, refs):
    d.impacts["AMB"].netto_impact = 2
    d.impacts["AMB"].rationale = "Na de uitwijk"


def _not_applicable(d, refs):
    d.impacts["POL"].applies = False
    d.impacts["POL"].bruto_impact = d.impacts["POL"].netto_impact = None
    d.impacts["POL"].rationale = "Geen politietaak"


def _newly_applicable(d, refs):
    d.impacts["BRW"].applies = True
    d.impacts["BRW"].bruto_impact, d.impacts["BRW"].netto_impact = 5, 1


def _scope_and_other_fields(d, refs):
    d.meldkamers = ["RTD", refs.meldkamers.all[-1].code]
    d.category = refs.categories.all[0].code
    d.target_level = refs.levels[0].code
    d.next_review = date(2027, 3, 1)
    d.owner = "Teamleider ICT"
    d.description = "Eerste regel\nTweede regel"


def _everything(d, refs):
    for edit in EDITS[:-1]:
        edit(d, refs)


EDITS = [_title, _likelihood, _impact, _not_applicable, _newly_applicable,
         _scope_and_other_fields]
EDITS.append(_everything)


def _state(risk_id: int) -> tuple:
    risk = db.session.get(Risk, risk_id)
    skip = {"id", "code", "created_at", "updated_at"}
    columns = {c.key: getattr(risk, c.key) for c in Risk.__table__.columns if c.key not in skip}
    links = (sorted(m.code for m in risk.meldkamers), sorted(v.code for v in risk.voorzieningen))
    impacts = [{c.key: getattr(i, c.key) for c in DisciplineImpact.__table__.columns
                if c.key not in ("id", "risk_id")}
               for i in db.session.scalars(db.select(DisciplineImpact).filter_by(risk_id=risk_id)
                                           .order_by(DisciplineImpact.discipline_id))]
    history = sorted((s.discipline_id or 0, s.field, s.old_value or "", s.new_value or "",
                      s.reason, s.user_id)
                     for s in db.session.scalars(db.select(ScoreChange).filter_by(risk_id=risk_id)))
    events = [(e.action, e.summary, e.changes, e.entity_version, e.user_id)
              for e in db.session.scalars(db.select(AuditEvent).filter_by(
                  entity_type="risk", entity_id=risk.code, action="update").order_by(AuditEvent.id))]
    return columns, links, impacts, history, events


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_bulk_update_writes_what_the_one_risk_update_writes(app, make_risk, users, edit):
    user = users["chair"]

    def make():
        return make_risk("Uitval GMS Rotterdam", likelihood=3, bruto_likelihood=4, AMB=(5, 4),
                         POL=(3, 2), meldkamers=["RTD"]).id

    one, bulk = make(), make()
    refs = refdata()

    data = risk_values(db.session.get(Risk, one), refs)
    edit(data, refs)
    update_risk(db.session.get(Risk, one), data, user, expected_version=1, reason="import x.xlsx",
                refs=refs)
    db.session.commit()

    code = db.session.get(Risk, bulk).code
    data = risk_values(db.session.get(Risk, bulk), refs)
    edit(data, refs)
    current = _current_values([code], refs)[code]
    assert bulk_update_risks([({**current, "code": code}, data)], user, reason="import x.xlsx",
                             refs=refs) == 1
    db.session.commit()
    db.session.expire_all()

    expected, got = _state(one), _state(bulk)
    assert got == expected
    assert got[4] and got[4][0][3] == 2  # one event, for version 2
