"""The risk's field specification at work: names in the audit trail, one text cleaning, and
inactive reference items leaving forms, filters and exports."""

import re
from io import BytesIO

import openpyxl

from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.reference.models import Category, Meldkamer
from lms_risk.risks.columns import register_columns
from lms_risk.risks.fields import RISK_FIELDS, ImpactData, RiskData
from lms_risk.risks.forms import make_risk_form
from lms_risk.risks.services import RiskError, _snapshot, create_risk, update_risk


def test_audit_trail_names_category_and_target_level_not_ids(client, auth, make_risk, users):
    risk = make_risk("Uitval GMS", category="ICT", AMB=(4, 3))
    data = RiskData(title="Uitval GMS", bruto_likelihood=3, netto_likelihood=3, status="open",
                    category="CYBER", target_level="midden",
                    impacts={"AMB": ImpactData(True, 4, 3)})
    update_risk(risk, data, users["chair"], expected_version=risk.version, reason="herindeling")
    db.session.commit()

    auth.login("auditor")
    page = client.get(f"/audit?entity_type=risk&entity_id={risk.code}").get_data(as_text=True)
    assert "Categorie</span>: ICT en techniek → Informatiebeveiliging en cyber" in page
    assert 'Streefniveau</span>: <span class="text-muted">–</span> → Midden' in page
    client.post("/language", data={"lang": "en", "next": "/audit"})
    page = client.get(f"/audit?entity_type=risk&entity_id={risk.code}").get_data(as_text=True)
    assert "IT and technology → Information security and cyber" in page


def test_control_characters_are_refused_by_the_service_with_the_field_named(app, users):
    data = RiskData(title="Uitval\x0bGMS", bruto_likelihood=3, netto_likelihood=3)
    try:
        create_risk(data, users["chair"])
    except RiskError as error:
        assert set(error.errors) == {"title"} and "stuurtekens" in error.errors["title"]
    else:
        raise AssertionError("a vertical tab in a title was accepted")


def test_inactive_items_leave_forms_filters_and_exports_but_stay_on_old_risks(
        client, auth, make_risk):
    risk = make_risk("Storing in Limburg", meldkamers=["LIM"], category="FIN", POL=(3, 2))
    db.session.scalar(db.select(Meldkamer).filter_by(code="LIM")).active = False
    db.session.scalar(db.select(Category).filter_by(code="FIN")).active = False
    db.session.commit()

    auth.login("chair")
    register = client.get("/risks").get_data(as_text=True)
    assert 'value="LIM"' not in register and 'value="FIN"' not in register
    assert 'value="RTD"' in register
    new_form = client.get("/risks/new").get_data(as_text=True)
    assert 'value="LIM"' not in new_form and 'value="FIN"' not in new_form
    # The risk that has them keeps them when edited.
    edit_form = client.get(f"/risks/{risk.code}/edit").get_data(as_text=True)
    assert selected(edit_form, "LIM") and selected(edit_form, "FIN")

    book = openpyxl.load_workbook(BytesIO(client.get("/risks/export.xlsx?discipline=all").data))
    listed = {row[2] for row in book["Lijsten"].iter_rows(min_row=2, values_only=True)}
    assert "RTD" in listed and "LIM" not in listed and "FIN" not in listed
    register_sheet = book["Register"]
    headers = [c.value for c in register_sheet[1]]
    assert register_sheet.cell(2, headers.index("Meldkamers") + 1).value == "LIM"


def selected(page: str, value: str) -> bool:
    return any("selected" in option for option in re.findall(rf'<option[^>]*value="{value}"[^>]*>', page))


def test_score_history_names_impact_fields(client, auth, make_risk, users):
    risk = make_risk("Uitval GMS", AMB=(4, 3))
    data = RiskData(title="Uitval GMS", bruto_likelihood=3, netto_likelihood=3, status="open",
                    impacts={"AMB": ImpactData(True, 4, 2)})
    update_risk(risk, data, users["chair"], expected_version=risk.version, reason="oefening")
    db.session.commit()
    auth.login("chair")
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "<td>Netto impact</td>" in page and "netto_impact" not in page


def test_every_layer_is_derived_from_the_field_specification(app, users):
    """Form, data class, Register columns, import parsers and audit snapshot all name exactly the
    fields of RISK_FIELDS: a new field appears in each of them without another edit."""
    refs = refdata()
    names = [f.name for f in RISK_FIELDS]
    with app.test_request_context():
        form = make_risk_form(refs, refs.disciplines.active, meta={"csrf": False})
        assert all(name in form for name in names)
    assert set(names) <= set(RiskData.__dataclass_fields__)
    columns = {c.key: c for c in register_columns(["AMB"], refs)}
    assert all(columns[name].editable and columns[name].parser for name in names)
    assert {c.header for c in columns.values() if c.key in names} == {f.header for f in RISK_FIELDS}
    risk = create_risk(RiskData(title="Uitval GMS", bruto_likelihood=3, netto_likelihood=3), users["chair"])
    assert set(names) <= set(_snapshot(risk, refs))
