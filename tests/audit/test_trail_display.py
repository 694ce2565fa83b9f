"""The audit trail shows names and only values that were set; the chair may read it."""

from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db
from lms_risk.reference.models import Category


def test_old_events_show_names_and_only_set_values(client, auth, users):
    category = db.session.scalar(db.select(Category).filter_by(code="ICT"))
    deleted = {"title": ["Uitval GMS", None], "status": ["open", None]}
    deleted.update({f"{code}.{name}": [None, None] for code in ("AMB", "POL", "BRW", "KMAR", "LMS")
                    for name in ("bruto_impact", "netto_impact", "rationale")})
    deleted.update({"description": ["", None], "meldkamers": [[], None]})
    db.session.add(AuditEvent(action="delete", entity_type="risk", entity_id="R-0042",
                              user_id=users["chair"].id, summary="weg", changes=deleted))
    db.session.add(AuditEvent(action="update", entity_type="risk", entity_id="R-0043",
                              user_id=users["chair"].id, summary="",
                              changes={"category": [None, category.id]}))
    db.session.commit()
    auth.login("auditor")
    page = client.get("/audit?entity_type=risk").get_data(as_text=True)
    assert "– → –" not in page.replace('<span class="text-muted">–</span>', "–")
    assert "2 velden" in page  # title and status; the 31 empty pairs are left out
    assert f"Categorie</span>: <span class=\"text-muted\">–</span> → {category.name_nl}" in page


def test_the_chair_reads_the_audit_trail(client, auth, make_risk):
    risk = make_risk()
    auth.login("chair")
    assert client.get("/audit").status_code == 200
    assert f"/audit?entity_type=risk&amp;entity_id={risk.code}" in client.get(
        f"/risks/{risk.code}").get_data(as_text=True)
