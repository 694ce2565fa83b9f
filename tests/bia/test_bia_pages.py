"""The BIA pages: list, page, forms, comparison, on SQLite and PostgreSQL."""

from bia_fixtures import config, make_bia  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.bia.models import Bia
from lms_risk.bia.services import approve_version, new_version
from lms_risk.extensions import db
from lms_risk.matrix.models import RiskLevel


def _grid_form(config, rows, **fields):
    data = {k: "" for k in ("assessment_date", "rto_minutes", "rpo_minutes", "mbco_minutes",
                            "mbco", "mtpd_override_minutes", "mtpd_override_reason")}
    data.update({k: str(v) for k, v in fields.items()})
    for c in config.categories:
        for n, w in enumerate(config.windows):
            values = rows.get(c.code)
            data[f"g-{c.code}-{w.code}"] = str(values[n]) if values and values[n] else ""
    return data


def test_list_shows_bias_and_filters_in_the_url(client, auth, make_bia):
    make_bia("Incidentsysteem", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    make_bia("Publieksalarmering", meldkamers=["DH"])
    auth.login("viewer")
    page = client.get("/bia").get_data(as_text=True)
    assert "Incidentsysteem" in page and "Publieksalarmering" in page
    assert "<td class=\"text-nowrap\">4 u" in page and "<td class=\"text-nowrap\">1 u" in page
    filtered = client.get("/bia?meldkamer=RTD").get_data(as_text=True)
    assert "Incidentsysteem" in filtered and "Publieksalarmering" not in filtered
    searched = client.get("/bia?q=publieks").get_data(as_text=True)
    assert "Publieksalarmering" in searched and "Incidentsysteem" not in searched


def test_bia_page_shows_the_grid_in_matrix_colours_and_targets(client, auth, make_bia):
    bia = make_bia("GMS", grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    auth.login("viewer")
    page = client.get(f"/bia/{bia.code}").get_data(as_text=True)
    assert "Mensenlevens en gezondheid" in page
    levels = {lvl.code: lvl.id for lvl in db.session.scalars(db.select(RiskLevel))}
    assert f"level-{levels['zeer_hoog']}" in page  # impact 5: zeer hoog (colours in /levels.css)
    assert f"level-{levels['midden']}" in page  # impact 2: midden
    assert 'id="mtpd">4 u<' in page and 'id="rto">1 u<' in page
    assert "Versie 1 bewerken" not in page  # a reader gets no edit buttons


def test_create_edit_grid_new_version_and_approve_through_the_pages(client, auth, config):
    auth.login("chair")
    response = client.post("/bia/new", data={"subject": "C2000-spraak", "voorziening": "C2000",
                                              "meldkamers": ["RTD"], "owner": "LMS"})
    assert response.status_code == 302
    bia = db.session.scalar(select(Bia).where(Bia.subject == "C2000-spraak"))
    url = f"/bia/{bia.code}/versions/1/edit"
    refused = client.post(url, data=_grid_form(config, {"BEREIK": [3, 2, 4, 4, 5, 5]}))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Operationele bereikbaarheid 112/meldkamer: de score bij 1 uur (2) is lager dan bij " \
           "15 min (3)" in text
    too_slow = client.post(url, data=_grid_form(config, {"BEREIK": [3, 3, 4, 4, 5, 5]},
                                                rto_minutes=480))
    assert too_slow.status_code == 422
    assert "mag niet langer zijn dan de MTPD (4 u)" in too_slow.get_data(as_text=True)
    ok = client.post(url, data=_grid_form(config, {"BEREIK": [3, 3, 4, 4, 5, 5]},
                                          rto_minutes=120, **{"r-BEREIK-quantity": 400,
                                                              "r-BEREIK-unit": "gesprekken"}))
    assert ok.status_code == 302
    assert client.post(f"/bia/{bia.code}/versions/1/approve").status_code == 302
    frozen = client.post(url, data=_grid_form(config, {"BEREIK": [5, 5, 5, 5, 5, 5]}))
    assert frozen.status_code == 409
    db.session.expire_all()
    assert bia.versions[0].grid()[(config.category_by_code["BEREIK"].id,
                                   config.windows[0].id)] == 3
    assert client.post(f"/bia/{bia.code}/versions/new").status_code == 302
    db.session.expire_all()
    assert [v.number for v in bia.versions] == [1, 2]
    compare = client.get(f"/bia/{bia.code}/compare?a=1&b=2").get_data(as_text=True)
    assert "versie 1 en 2" in compare


def test_dependency_and_classification_forms(client, auth, make_bia):
    top = make_bia("Aanname 112", grid={"LEVEN": [4, 5, 5, 5, 5, 5]}, rto=15)
    auth.login("admin")
    response = client.post(f"/bia/{top.code}/dependencies",
                           data={"kind": "supplier", "name": "KPN", "recovery_minutes": "240"})
    assert response.status_code == 302
    page = client.get(f"/bia/{top.code}").get_data(as_text=True)
    assert "KPN: herstelt in 4 u, terwijl" in page
    missing = client.post(f"/bia/{top.code}/dependencies", data={"kind": "bia"})
    assert missing.status_code == 422
    response = client.post(f"/bia/{top.code}/classification", data={"b": 3, "i": 2, "v": 1})
    assert response.status_code == 302
    assert 'id="bbn">BBN3<' in client.get(f"/bia/{top.code}").get_data(as_text=True)


def test_english_page(client, auth, make_bia):
    bia = make_bia("GMS", grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    auth.login("viewer")
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/bia/{bia.code}").get_data(as_text=True)
    assert "Human life and health" in page and "Recovery targets" in page and "4 h" in page


def test_older_versions_stay_readable(client, auth, make_bia, users):
    bia = make_bia("GMS", grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    approve_version(bia.current, users["chair"])
    new_version(bia, users["chair"])
    db.session.commit()
    auth.login("viewer")
    page = client.get(f"/bia/{bia.code}?version=1").get_data(as_text=True)
    assert "U bekijkt versie 1; de huidige is versie 2." in page
    assert client.get(f"/bia/{bia.code}?version=9").status_code == 404


def test_list_query_count_does_not_grow_with_bias_and_versions(client, auth, make_bia, users,
                                                                count_queries):
    from lms_risk.bia.services import new_version
    make_bia("Incidentsysteem", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    auth.login("viewer")
    client.get("/bia")
    with count_queries() as small:
        client.get("/bia")
    for n in range(4):
        bia = make_bia(f"Proces {n}", meldkamers=["DH", "RTD"], voorziening="GMS",
                       grid={"LEVEN": [3, 4, 5, 5, 5, 5]})
        new_version(bia, users["chair"])
    db.session.commit()
    with count_queries() as large:
        page = client.get("/bia").get_data(as_text=True)
    assert page.count("<td class=\"text-nowrap\">1 u") == 5  # the derived MTPD of each
    assert len(large) == len(small), (len(small), len(large))
