"""The controls pages as a user meets them: the VvT with its filters, editing one or a selection
of implementations, the control page with its history, risks and mappings, the risk panel, the
gap analysis and the NIS2 view (with constant query counts), and loading a catalogue."""

import io

import pytest
from controls_fixtures import (  # noqa: F401  (fixtures)
    bio_sample,
    catalogue,
    implement,
    loaded,
    set_level,
)
from sqlalchemy import select

from lms_risk.controls import loading
from lms_risk.controls.loading import LoadError
from lms_risk.controls.models import Control, Implementation, RiskControl
from lms_risk.controls.services import link_risk
from lms_risk.extensions import db


def _text(response):
    return response.get_data(as_text=True)


def test_vvt_lists_controls_and_filters_in_the_url(client, auth, loaded):
    implement(loaded["9.1"], "voorziening:GMS", "volledig", owner="Beheer GMS")
    auth.login("viewer")
    page = _text(client.get("/controls?framework=bio-test&bbn=2"))
    assert "9.3" in page and "9.4" in page and "Maatregel 9.1" not in page
    page = _text(client.get("/controls?scope=voorziening:GMS&status=volledig"))
    assert "Maatregel 9.1" in page and "Maatregel 9.2" not in page and "Beheer GMS" in page
    page = _text(client.get("/controls?scope=voorziening:GMS&status=niet&framework=bio-test"))
    assert "Maatregel 9.2" in page and "Maatregel 9.1" not in page
    page = _text(client.get("/controls?tag=basishygiene"))
    assert "Maatregel 9.1" in page and "Maatregel 9.2" not in page
    page = _text(client.get("/controls?owner=beheer"))
    assert "Maatregel 9.1" in page and "Maatregel 9.3" not in page


def test_editing_an_implementation_is_validated_and_shown_in_the_history(client, auth, loaded):
    auth.login("chair")
    url = f"/controls/{loaded['9.1'].id}/scope/voorziening:GMS"
    refused = client.post(url, data={"status": "niet", "reason": ""})  # not applicable, no reason
    assert refused.status_code == 422
    assert "Geef de reden" in _text(refused)
    assert db.session.scalar(select(Implementation)) is None
    saved = client.post(url, data={"status": "deels", "applicable": "y", "owner": "Team GMS",
                                   "evidence_link": "https://wiki.example.nl/gms"})
    assert saved.status_code == 302
    impl = db.session.scalar(select(Implementation))
    assert (impl.status, impl.owner, impl.scope_key.startswith("v:")) == ("deels", "Team GMS", True)
    page = _text(client.get(f"/controls/{loaded['9.1'].id}"))
    assert "deels geïmplementeerd" in page and "Team GMS" in page  # in the history
    assert "https://wiki.example.nl/gms" in page


def test_bulk_edit_sets_status_for_a_selection(client, auth, loaded):
    auth.login("rtd")
    ids = [loaded[r].id for r in ("9.1", "9.2", "9.3")]
    response = client.post("/controls/bulk", data={"scope": "meldkamer:RTD", "status": "volledig",
                                                   "owner": "CaCo RTD", "control": ids})
    assert response.status_code == 302
    rows = db.session.scalars(select(Implementation)).all()
    assert sorted(r.control_id for r in rows) == sorted(ids)
    assert {(r.status, r.owner) for r in rows} == {("volledig", "CaCo RTD")}
    refused = client.post("/controls/bulk", data={"scope": "voorziening:GMS",
                                                  "status": "volledig", "control": ids})
    assert refused.status_code == 403


def test_control_page_shows_tree_mappings_and_risks_and_links_them(client, auth, loaded,
                                                                   make_risk):
    risk = make_risk("Uitval GMS")
    auth.login("pol")
    response = client.post(f"/controls/{loaded['9.1'].id}/risks",
                           data={"risk": risk.code.lower(), "kind": "planned"})
    assert response.status_code == 302
    page = _text(client.get(f"/controls/{loaded['9.1'].id}"))
    assert risk.code in page and "gepland" in page
    assert "21(2)(a)" in page and "overlapt" in page  # the mapping, outgoing
    assert ">9</a>" in page  # the chapter in the breadcrumb
    nis2_page = _text(client.get(f"/controls/{loaded['21(2)(a)'].id}"))
    assert "9.1" in nis2_page  # the mapping, incoming
    risk_page = _text(client.get(f"/risks/{risk.code}"))
    assert 'id="risk-controls"' in risk_page and "Maatregel 9.1" in risk_page
    client.post(f"/controls/{loaded['9.1'].id}/risks/{risk.code}/remove")
    assert db.session.scalar(select(RiskControl)) is None


def test_english_page_shows_english_titles(client, auth, loaded):
    control = loaded["9.1"]
    control.title_en = "Limit access"
    db.session.commit()
    auth.login("viewer")
    client.post("/language", data={"lang": "en", "next": "/controls"})
    page = _text(client.get(f"/controls/{control.id}"))
    assert "Limit access" in page and "Implementation per scope" in page


def test_gap_page_percentage_follows_the_status(client, auth, loaded):
    set_level("voorziening:GMS", 1)
    auth.login("chair")
    page = _text(client.get("/controls/gaps"))
    assert 'data-scope="voorziening:GMS"' in page and "0%" in page
    client.post(f"/controls/{loaded['9.1'].id}/scope/voorziening:GMS",
                data={"status": "volledig", "applicable": "y"})
    assert "50%" in _text(client.get("/controls/gaps"))
    client.post("/controls/gaps/level", data={"scope": "voorziening:GMS", "bbn_level": "3"})
    assert "20%" in _text(client.get("/controls/gaps"))


@pytest.mark.parametrize("url", ["/controls/gaps", "/controls/nis2", "/controls/{c}",
                                 "/controls?scope=voorziening:GMS", "/controls"])
def test_pages_take_a_fixed_number_of_queries(client, auth, loaded, make_risk, users,
                                              count_queries, url):
    auth.login("admin")
    url = url.format(c=loaded["9.1"].id)
    set_level("voorziening:GMS", 3)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for code in ("C2000", "P2000", "TEL112"):
        set_level(f"voorziening:{code}", 2)
        for ref in ("9.1", "9.2", "9.3", "9.4"):
            implement(loaded[ref], f"voorziening:{code}", "deels", owner="x")
    for n in range(3):
        link_risk(make_risk(f"Risico {n}"), loaded["9.1"], "planned", users["chair"])
    db.session.commit()
    with count_queries() as more:
        assert client.get(url).status_code == 200
    assert len(more) <= len(few), (url, len(few), len(more))


def test_vvt_pages_by_keyset(client, auth, app, users):
    from controls_fixtures import framework, node
    controls = [node(f"urn:test:many:{i}", f"M{i:03}", order=i) for i in range(130)]
    loading.load_catalogue(catalogue(framework("urn:test:many", "many", controls)),
                           users["admin"])
    db.session.commit()
    auth.login("viewer")
    first = _text(client.get("/controls?framework=many"))
    assert "M099" in first and "M100" not in first and "after=" in first
    after = first.split("after=")[1].split("&")[0].split('"')[0]
    second = _text(client.get(f"/controls?framework=many&after={after}"))
    assert "M100" in second and "M129" in second and "M099" not in second


def test_upload_preview_confirm_and_reload_changes_nothing(client, auth, users, monkeypatch):
    data = catalogue(bio_sample(), name="bio.yaml")
    monkeypatch.setattr(loading, "read_file", lambda name, raw: data)
    from lms_risk.controls import views
    monkeypatch.setattr(views, "read_file", lambda name, raw: data)
    auth.login("admin")
    preview = client.post("/controls/import", data={
        "file": (io.BytesIO(b"framework: x"), "bio.yaml")}, content_type="multipart/form-data")
    page = _text(preview)
    assert preview.status_code == 200 and "bio-test" in page
    assert db.session.scalar(select(Control)) is None  # nothing before confirmation
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/controls/import/confirm", data={"token": token}).status_code == 302
    assert len(db.session.scalars(select(Control)).all()) == 6
    again = _text(client.post("/controls/import", data={
        "file": (io.BytesIO(b"framework: x"), "bio.yaml")}, content_type="multipart/form-data"))
    assert 'id="catalogue-unchanged"' in again


def test_upload_shows_every_problem(client, auth, monkeypatch):
    from lms_risk.controls import views

    def refuse(name, raw):
        raise LoadError([("node urn:x:1", "parent urn:x:0 is missing"),
                         ("line 3", "YAML aliases are not allowed")])
    monkeypatch.setattr(views, "read_file", refuse)
    auth.login("admin")
    response = client.post("/controls/import", data={
        "file": (io.BytesIO(b"&a [*a]"), "bom.yaml")}, content_type="multipart/form-data")
    page = _text(response)
    assert response.status_code == 422
    assert "parent urn:x:0 is missing" in page and "YAML aliases are not allowed" in page


def test_uploading_a_real_library_and_a_hostile_one(client, auth):
    from pathlib import Path
    fixtures = Path(__file__).parent / "fixtures"
    auth.login("admin")
    data = (fixtures / "tiny-framework.yaml").read_bytes()
    page = _text(client.post("/controls/import", data={"file": (io.BytesIO(data), "tiny.yaml")},
                             content_type="multipart/form-data"))
    assert "TINY" in page and 'name="token"' in page
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/controls/import/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(select(Control).where(Control.ref_id == "2.1")) is not None
    bomb = (fixtures / "alias-bomb.yaml").read_bytes()
    refused = client.post("/controls/import", data={"file": (io.BytesIO(bomb), "bomb.yaml")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert 'id="catalogue-problems"' in _text(refused)


def test_nis2_page_links_the_covering_controls_and_comes_in_pages(client, auth, loaded,
                                                                  monkeypatch):
    from lms_risk.controls import insight
    monkeypatch.setattr(insight, "NIS2_PAGE", 2)
    auth.login("viewer")
    first = _text(client.get("/controls/nis2?framework=nis2-test"))
    assert f'href="/controls/{loaded["9.1"].id}"' in first and "(overlapt)" in first
    assert f'href="/controls/{loaded["21(2)(a)"].id}"' in first
    assert "21(2)(c)" not in first and "Maatregel 1–2 van 3" in first and "page=2" in first
    second = _text(client.get("/controls/nis2?framework=nis2-test&page=2"))
    assert "21(2)(c)" in second and "21(2)(a)" not in second
    one_scope = _text(client.get("/controls/nis2?framework=nis2-test&scope=voorziening:GMS"))
    assert all(ref in one_scope for ref in ("21(2)(a)", "21(2)(b)", "21(2)(c)"))
    assert "page=2" not in one_scope


def test_nis2_page_escapes_the_covering_controls_and_speaks_the_readers_language(
        client, auth, loaded):
    control = loaded["9.1"]
    control.ref_id = "9.1<b>"
    db.session.commit()
    auth.login("viewer")
    page = _text(client.get("/controls/nis2?framework=nis2-test&scope=voorziening:GMS"))
    assert f'href="/controls/{control.id}">' in page and "9.1&lt;b&gt;</a>" in page
    assert "9.1<b>" not in page and "(overlapt)" in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = _text(client.get("/controls/nis2?framework=nis2-test&scope=voorziening:GMS"))
    assert "(intersects)" in page and "(overlapt)" not in page


def test_a_mapping_library_before_its_frameworks_is_refused_in_the_readers_language(client,
                                                                                   auth):
    from pathlib import Path
    data = (Path(__file__).parent / "fixtures" / "mapping-tiny-other.yaml").read_bytes()
    auth.login("admin")

    def upload():
        response = client.post("/controls/import", data={
            "file": (io.BytesIO(data), "mapping.yaml")}, content_type="multipart/form-data")
        assert response.status_code == 422
        return _text(response)

    page = upload()
    assert "de maatregel urn:test:risk:req_node:tiny:1.1 is onbekend; laad eerst zijn " \
           "raamwerk" in page
    assert "koppeling urn:test:risk:req_node:tiny:1.1 → urn:test:risk:req_node:other:a" in page
    assert "is unknown" not in page and "mapping urn:" not in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = upload()
    assert "control urn:test:risk:req_node:tiny:1.1 is unknown; load its framework " \
           "first" in page
    assert "mapping urn:test:risk:req_node:tiny:1.1 → urn:test:risk:req_node:other:a" in page
    assert db.session.scalar(select(Control)) is None


def test_an_upload_over_the_limit_says_the_limit_in_the_readers_language(app, client, auth):
    auth.login("admin")
    assert "Een catalogus is hoogstens 10 MB groot." in _text(client.get("/controls/import"))
    # Lower than the reader's 10 MB: this one holds. (Small: the test client keeps a body over
    # 500 kB in a temporary file that a refused request leaves open.)
    app.config["MAX_CONTENT_LENGTH"] = 300 * 2**10

    def big():
        return io.BytesIO(b"#" * (300 * 2**10 + 1))
    response = client.post("/controls/import", data={"file": (big(), "groot.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Het bestand is te groot: een catalogus is hoogstens 300 kB." in _text(response)
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.post("/controls/import", data={"file": (big(), "big.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "The file is too large: a catalogue is at most 300 kB." in _text(response)
    auth.logout()
    auth.login("viewer")  # may not load catalogues: the house's page, not the upload form
    response = client.post("/controls/import", data={"file": (big(), "big.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code in (403, 413) and 'id="catalogue-upload"' not in _text(response)


def test_a_bad_date_in_the_bulk_form_is_named_with_its_value(client, auth, loaded):
    auth.login("rtd")
    ids = [loaded[r].id for r in ("9.1", "9.2")]
    response = client.post("/controls/bulk", data={
        "scope": "meldkamer:RTD", "status": "volledig", "next_check": "2027-02-30",
        "control": ids}, follow_redirects=True)
    page = _text(response)
    assert "De bulkwijziging is niet opgeslagen: Volgende controle “2027-02-30”: geen geldige " \
           "datum" in page
    assert db.session.scalar(select(Implementation)) is None  # nothing written
    client.post("/language", data={"lang": "en", "next": "/"})
    page = _text(client.post("/controls/bulk", data={
        "scope": "meldkamer:RTD", "status": "", "owner": "x" * 201, "control": ids},
        follow_redirects=True))
    assert "The bulk change has not been saved: Owner “" + "x" * 50 + "…”:" in page


def test_a_retired_controls_implementation_is_shown_but_not_editable(client, auth, loaded, users):
    from controls_fixtures import bio_sample
    retired = loaded["9.5"]
    implement(retired, "voorziening:GMS", "deels", owner="Team GMS")
    loading.load_catalogue(catalogue(bio_sample(version="2", drop=(5,))), users["admin"])
    db.session.commit()
    auth.login("chair")  # may edit every scope
    page = _text(client.get(f"/controls/{retired.id}"))
    assert "Team GMS" in page and 'id="retired-note"' in page
    assert "/scope/" not in page and "bewerken" not in page
    assert "/scope/" in _text(client.get(f"/controls/{loaded['9.4'].id}"))  # a current one
    url = f"/controls/{retired.id}/scope/voorziening:GMS"
    for response in (client.get(url), client.post(url, data={"status": "volledig",
                                                              "applicable": "y"})):
        assert response.status_code == 302
    page = _text(client.get(f"/controls/{retired.id}"))
    assert "9.5 is ingetrokken (niet meer in de catalogus); de implementatie ervan kan niet " \
           "meer worden gewijzigd." in page
    bulk = _text(client.post("/controls/bulk", data={
        "scope": "voorziening:GMS", "status": "volledig", "control": [loaded["9.4"].id,
                                                                       retired.id]},
        follow_redirects=True))
    assert "9.5 is ingetrokken" in bulk
    db.session.expire_all()
    assert [(i.control_id, i.status) for i in db.session.scalars(select(Implementation))] \
        == [(retired.id, "deels")]  # nothing changed, not even 9.4


def test_the_history_shows_dates_as_the_tables_do(client, auth, loaded):
    from datetime import date
    implement(loaded["9.1"], "voorziening:GMS", "deels", next_check=date(2027, 5, 10),
              last_checked=date(2026, 11, 2))
    auth.login("viewer")
    history = _text(client.get(f"/controls/{loaded['9.1'].id}")).split('id="control-history"')[1]
    assert "10-05-2027" in history and "02-11-2026" in history
    assert "2027-05-10" not in history and "2026-11-02" not in history
