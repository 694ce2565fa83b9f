"""The audit trail as an auditor reads it: every change recorded, findable per risk, readable."""

from lms_risk.extensions import db
from lms_risk.risks.fields import ImpactData, RiskData
from lms_risk.risks.services import update_risk


def test_audit_trail_filters_by_risk_and_names_fields_in_dutch(client, auth, make_risk, users):
    first = make_risk("Uitval GMS", likelihood=3, AMB=(4, 3))
    other = make_risk("Storing C2000", likelihood=2, POL=(3, 2))
    data = RiskData(title="Uitval GMS", bruto_likelihood=3, netto_likelihood=2,
                    status="open", impacts={"AMB": ImpactData(True, 4, 3)})
    update_risk(first, data, users["chair"], expected_version=first.version,
                reason="Uitwijktest geslaagd")
    db.session.commit()

    auth.login("auditor")
    page = client.get(f"/audit?entity_type=risk&entity_id={first.code}").get_data(as_text=True)
    assert page.count(f">{first.code}</a>") == 2  # created, then changed
    assert other.code not in page
    assert "Netto kans</span>: 3 → 2" in page  # a readable field name, not 'netto_likelihood'
    assert "Uitwijktest geslaagd" in page
    # A create event lists its fields folded away, so the page stays readable.
    assert "<details><summary>" in page

    # Object types are named in Dutch, in the filter and in the rows.
    users_page = client.get("/audit?entity_type=user").get_data(as_text=True)
    assert '<option value="user" selected>gebruiker</option>' in users_page
    assert "gebruiker auditor@example.nl" in users_page
    assert ">user<" not in users_page

    only_updates = client.get("/audit?action=update").get_data(as_text=True)
    assert f">{first.code}</a>" in only_updates and f">{other.code}</a>" not in only_updates


def test_risk_page_links_auditors_to_its_audit_trail(client, auth, make_risk):
    risk = make_risk()
    auth.login("auditor")
    assert f"/audit?entity_type=risk&amp;entity_id={risk.code}" in client.get(
        f"/risks/{risk.code}").get_data(as_text=True)
    auth.logout()
    auth.login("viewer")
    assert "/audit?" not in client.get(f"/risks/{risk.code}").get_data(as_text=True)


def test_archive_and_delete_ask_for_confirmation(client, auth, make_risk):
    risk = make_risk()
    auth.login("chair")
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f'data-confirm="Risico {risk.code} archiveren?' in page
    assert "definitief verwijderen" not in page  # an admin's
    assert "/static/app.js" in page
    auth.logout()
    auth.login("admin")
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f'data-confirm="Risico {risk.code} definitief verwijderen,' in page
