"""Risk ↔ BIA links, editable from the BIA page and from the risk page, on both backends."""

import re

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.audit.models import AuditEvent
from lms_risk.bia.queries import bias_for_risks, risks_for_bia
from lms_risk.bia.services import link_risk
from lms_risk.extensions import db
from lms_risk.risks.services import hard_delete_risk


def _events(entity_type, code, action):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == entity_type, AuditEvent.entity_id == code,
        AuditEvent.action == action)).all()


def test_link_from_the_bia_page_shows_mtpd_and_rto_on_the_risk_page(client, auth, make_bia,
                                                                     make_risk):
    bia = make_bia("GMS", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    risk = make_risk("Uitval GMS")
    auth.login("rtd")
    response = client.post(f"/bia/{bia.code}/risks", data={"risk": risk.code.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith("#risks")
    page = client.get(f"/bia/{bia.code}").get_data(as_text=True)
    assert f'href="/risks/{risk.code}"' in page and "Uitval GMS" in page
    risk_page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    row = re.search(r'<table[^>]*id="risk-bias".*?</table>', risk_page, re.S).group(0)
    assert bia.code in row and "4 u" in row and "1 u" in row  # MTPD 4 hours, RTO 1 hour
    [on_bia] = _events("bia", bia.code, "link")
    [on_risk] = _events("risk", risk.code, "link")
    assert on_bia.changes == {"risk": [None, f"{risk.code} Uitval GMS"]}
    assert on_risk.changes == {"BIA": [None, f"{bia.code} GMS"]}
    auth.logout()
    auth.login("auditor")
    trail = client.get(f"/audit?entity_type=risk&entity_id={risk.code}").get_data(as_text=True)
    assert "gekoppeld" in trail and f"{bia.code} GMS" in trail


def test_link_and_unlink_from_the_risk_page(client, auth, make_bia, make_risk):
    bia = make_bia("C2000-spraak", meldkamers=["DH"], rto=30)
    risk = make_risk("Uitval C2000")
    auth.login("amb")  # a member edits risks, so may link any BIA
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f'<option value="{bia.code}">' in page
    response = client.post(f"/bia/for-risk/{risk.code}", data={"bia": bia.code})
    assert response.status_code == 302 and response.headers["Location"].endswith("#panel-bia")
    assert [b.code for b in bias_for_risks([risk.id])[risk.id]] == [bia.code]
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f'<option value="{bia.code}">' not in page  # linked: no longer offered
    assert "30 min" in page
    response = client.post(f"/bia/for-risk/{risk.code}/{bia.code}/delete")
    assert response.status_code == 302
    assert risks_for_bia(bia.id) == []
    assert len(_events("bia", bia.code, "unlink")) == 1
    assert len(_events("risk", risk.code, "unlink")) == 1


def test_a_coordinator_links_only_bias_of_their_meldkamer(client, auth, make_bia, make_risk,
                                                          users):
    mine = make_bia("GMS Rotterdam", meldkamers=["RTD"])
    other = make_bia("GMS Den Haag", meldkamers=["DH"])
    risk = make_risk()
    link_risk(other, risk, users["chair"])
    db.session.commit()
    auth.login("rtd")
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f'<option value="{mine.code}">' in page
    assert f'<option value="{other.code}">' not in page
    assert f"/bia/for-risk/{risk.code}/{other.code}/delete" not in page  # may not unlink it
    assert client.post(f"/bia/for-risk/{risk.code}", data={"bia": other.code}).status_code == 403
    assert client.post(f"/bia/for-risk/{risk.code}/{other.code}/delete").status_code == 403
    assert [r.code for r in risks_for_bia(other.id)] == [risk.code]
    # a viewer sees the panel, no form
    auth.logout()
    auth.login("viewer")
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert 'id="panel-bia"' in page and other.code in page and "link-bia" not in page


def test_an_unknown_risk_code_is_named(client, auth, make_bia):
    bia = make_bia()
    auth.login("chair")
    response = client.post(f"/bia/{bia.code}/risks", data={"risk": "R-9999"})
    assert response.status_code == 422
    assert "Er is geen risico met code R-9999." in response.get_data(as_text=True)
    assert _events("bia", bia.code, "link") == []


def test_linking_twice_changes_nothing_and_deleting_a_risk_drops_its_links(
        make_bia, make_risk, users):
    bia = make_bia()
    risk = make_risk()
    assert link_risk(bia, risk, users["chair"]) is True
    assert link_risk(bia, risk, users["chair"]) is False
    assert len(_events("bia", bia.code, "link")) == 1
    db.session.commit()
    hard_delete_risk(risk, "dubbel ingevoerd", users["admin"])
    db.session.commit()
    assert risks_for_bia(bia.id) == []


def test_risk_page_and_bia_page_queries_do_not_grow_with_links(client, auth, make_bia,
                                                               make_risk, users, count_queries):
    risk = make_risk()
    hub = make_bia("Huisvesting", meldkamers=["RTD"])
    auth.login("rtd")

    def counted(url):
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    link_risk(make_bia("B0", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60),
              risk, users["chair"])
    link_risk(hub, make_risk("R b0"), users["chair"])
    db.session.commit()
    few_risk, few_bia = counted(f"/risks/{risk.code}"), counted(f"/bia/{hub.code}")
    for n in range(1, 6):
        link_risk(make_bia(f"B{n}", meldkamers=["RTD", "DH"],
                           grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60), risk, users["chair"])
        link_risk(hub, make_risk(f"R b{n}"), users["chair"])
    db.session.commit()
    assert counted(f"/risks/{risk.code}") == few_risk
    assert counted(f"/bia/{hub.code}") == few_bia


def test_bia_page_queries_do_not_grow_with_versions_dependencies_or_other_bias(
        client, auth, make_bia, users, count_queries):
    """Read by who may edit (the dependency form lists every other BIA)."""
    from lms_risk.bia.services import DependencyInput, add_dependency, new_version
    bia = make_bia("GMS", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    first = make_bia("Netwerk", grid={"LEVEN": [1, 2, 3, 4, 5, 5]})  # no RTO: MTPD derived
    add_dependency(bia, DependencyInput(kind="bia", target_bia_id=first.id), users["chair"])
    db.session.commit()
    auth.login("admin")

    def counted():
        with count_queries() as queries:
            page = client.get(f"/bia/{bia.code}").get_data(as_text=True)
        return len(queries), page

    few, _page = counted()
    previous = first
    for n in range(4):  # a longer chain, more BIAs, a second version
        nxt = make_bia(f"Keten {n}", grid={"LEVEN": [1, 2, 3, 4, 5, 5]}, rto=None if n % 2
                       else 30)
        add_dependency(previous, DependencyInput(kind="bia", target_bia_id=nxt.id),
                       users["chair"])
        add_dependency(bia, DependencyInput(kind="supplier", name=f"Leverancier {n}",
                                            recovery_minutes=15), users["chair"])
        previous = nxt
    new_version(bia, users["chair"])
    db.session.commit()
    many, page = counted()
    assert "Leverancier 3" in page and f"{previous.code} Keten 3" in page  # listed and a choice
    assert many == few, (few, many)
