"""The risk matrix is data: scoring rules and what a matrix change does."""

from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db
from lms_risk.matrix.models import MatrixCell, RiskLevel
from lms_risk.risks.models import Risk
from lms_risk.risks.scoring import priority, register_impact


def test_priority_is_likelihood_times_impact_and_register_takes_the_worst():
    assert priority(3, 4) == 12
    assert priority(3, None) == 0
    assert register_impact([2, None, 5, 3]) == 5
    assert register_impact([None]) is None


def level_id(code):
    return db.session.scalar(db.select(RiskLevel.id).filter_by(code=code))


def test_matrix_change_relevels_every_risk_but_keeps_scores_and_versions(client, auth, make_risk):
    risk = make_risk(likelihood=2, AMB=(4, 3), POL=(3, 2))  # AMB 2x3=6 midden; register 2x3
    version = risk.version
    assert risk.netto_level.code == "midden"
    auth.login("admin")
    response = client.post("/admin/matrix/grid", data={"cell-2-3": str(level_id("zeer_hoog"))})
    assert response.status_code == 302
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.netto_level.code == "zeer_hoog"
    amb = next(i for i in risk.impacts if i.discipline.code == "AMB")
    pol = next(i for i in risk.impacts if i.discipline.code == "POL")
    assert amb.netto_level_id == level_id("zeer_hoog")
    assert pol.netto_level_id == level_id("midden")  # (2, 2) untouched
    assert (risk.netto_likelihood, amb.netto_impact, risk.version) == (2, 3, version)
    assert risk.score_changes == []
    event = db.session.scalar(db.select(AuditEvent).filter_by(entity_type="matrix"))
    assert event.changes == {"2x3": ["midden", "zeer_hoog"]}
    # and the register's level filter follows the new grid
    page = client.get("/risks?discipline=all&level=zeer_hoog").get_data(as_text=True)
    assert risk.code in page


def test_matrix_page_shows_scales_and_edits_labels(client, auth):
    auth.login("admin")
    page = client.get("/admin/matrix").get_data(as_text=True)
    assert "Zeer groot" in page and "Zeer hoog" in page
    data = {}
    for v in range(1, 6):
        data.update({f"impact-{v}-label_nl": f"Klasse {v}", f"impact-{v}-label_en": f"Class {v}",
                     f"impact-{v}-description_nl": "", f"impact-{v}-description_en": ""})
    assert client.post("/admin/matrix/scale/impact", data=data).status_code == 302
    assert "Klasse 4" in client.get("/heatmap").get_data(as_text=True)


def test_level_colour_must_be_a_colour(client, auth):
    auth.login("admin")
    levels = db.session.scalars(db.select(RiskLevel)).all()
    data = {}
    for lvl in levels:
        data[f"level-{lvl.id}-name_nl"] = lvl.name_nl
        data[f"level-{lvl.id}-name_en"] = lvl.name_en
        data[f"level-{lvl.id}-colour"] = "red;background:url(x)" if lvl.code == "hoog" else lvl.colour
    response = client.post("/admin/matrix/levels", data=data)
    assert response.status_code == 422
    assert db.session.scalar(db.select(RiskLevel.colour).filter_by(code="hoog")) == "#ff9800"


def test_reference_data_admin(client, auth):
    auth.login("admin")
    response = client.post("/admin/reference/voorzieningen", data={
        "code": "nms", "name_nl": "NMS", "name_en": "NMS", "sort_order": "9", "active": "y"})
    assert response.status_code == 302
    assert "NMS" in client.get("/admin/reference/voorzieningen").get_data(as_text=True)
    response = client.post("/admin/reference/voorzieningen", data={"code": "GMS", "name_nl": "Dubbel"})
    assert response.status_code == 422
    assert "Deze code bestaat al." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(MatrixCell.level_id))) == 25
