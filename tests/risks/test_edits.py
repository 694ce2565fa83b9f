"""Concurrent edits and what the form refuses: field-level merge, no 500 under concurrent saves,
codes without collisions, one rule for another discipline's impact, scores without "van
toepassing", a reason for every score change, a failed save that keeps every value."""

import threading

from flask.testing import FlaskClient
from test_risks import form_for

from conftest import PASSWORD, TEST_USERS
from lms_risk.extensions import db
from lms_risk.risks.models import Risk, ScoreChange

OTHERS = {f"{c}-{f}": None for c in ("BRW", "KMAR", "LMS")
          for f in ("bruto_impact", "netto_impact", "rationale")}


def matching_risk(make_risk, **impacts):
    """A risk with the values ``form_for`` sends, so that a form changes only what a test says."""
    risk = make_risk("Uitval C2000 in meldkamer Limburg", bruto_likelihood=4, likelihood=3,
                     category="ICT", owner="Manager beheer", meldkamers=["LIM"],
                     voorzieningen=["C2000"], **impacts)
    risk.cause, risk.consequence = "Stroomstoring", "Geen spraakverbinding"
    db.session.commit()
    return risk


def member_form(risk, own, other, **changes):
    """What the browser of a member of ``own`` sends: ``other``'s fields are disabled."""
    data = form_for(risk, **OTHERS, **{f"{other}-{f}": None for f in
                                       ("applies", "bruto_impact", "netto_impact", "rationale")})
    data.update({"AMB-bruto_impact": "4", "AMB-netto_impact": "3", "POL-bruto_impact": "3",
                 "POL-netto_impact": "2", "reason": "kalibratie"})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_two_members_changing_their_own_discipline_both_keep_their_change(client, auth, make_risk):
    risk = matching_risk(make_risk, AMB=(4, 3), POL=(3, 2))
    opened = risk.version
    auth.login("amb")
    assert client.post(f"/risks/{risk.code}/edit",
                       data=member_form(risk, "AMB", "POL", **{"AMB-netto_impact": "2"})
                       ).status_code == 302
    auth.logout()
    auth.login("pol")
    data = member_form(risk, "POL", "AMB", **{"POL-netto_impact": "1"})
    data["version"] = str(opened)  # opened before the AMB member saved
    response = client.post(f"/risks/{risk.code}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    impacts = {i.discipline.code: i.netto_impact for i in risk.impacts}
    assert (impacts["AMB"], impacts["POL"]) == (2, 1)
    changes = {(c.discipline.code, c.new_value) for c in risk.score_changes}
    assert changes == {("AMB", "2"), ("POL", "1")}  # recorded as two changes
    assert risk.version == opened + 2
    assert risk.title == "Uitval C2000 in meldkamer Limburg"


def test_a_conflict_names_the_discipline_of_each_unsaved_value(client, auth, make_risk):
    risk = matching_risk(make_risk, AMB=(4, 3), POL=(3, 2))
    opened = risk.version
    auth.login("chair")
    first = form_for(risk, reason="eerste", **{"AMB-bruto_impact": "4", "AMB-netto_impact": "1",
                                               "POL-bruto_impact": "3", "POL-netto_impact": "2"})
    assert client.post(f"/risks/{risk.code}/edit", data=first).status_code == 302
    second = form_for(risk, reason="tweede", title="Andere titel",
                      **{"AMB-bruto_impact": "4", "AMB-netto_impact": "2",
                         "POL-bruto_impact": "3", "POL-netto_impact": "2"})
    second["version"] = str(opened)
    response = client.post(f"/risks/{risk.code}/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Netto impact (AMB)" in page and "2 – " in page
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.title != "Andere titel"  # nothing of the refused save was written


def _concurrently(app, n, request_for):
    """``n`` threads, each with its own client signed in, fire at once; their status codes."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        with app.test_request_context():
            client = FlaskClient(app, use_cookies=True)
            user, method, url, data = request_for(i)
            try:
                email = TEST_USERS[user][0]
                login = client.post("/login", data={"email": email, "password": PASSWORD})
                assert login.status_code == 302, login.status_code
            except BaseException as error:
                results[i] = f"login: {error!r}"
                barrier.abort()
                raise
            barrier.wait(timeout=60)
            try:
                results[i] = client.open(url, method=method, data=data).status_code
            except Exception as error:  # a 500 under TESTING propagates
                results[i] = repr(error)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_saves_of_one_risk_are_saved_or_refused_never_500(app, make_risk):
    risk = matching_risk(make_risk, AMB=(4, 3), POL=(3, 2))
    code, opened = risk.code, risk.version
    forms = [form_for(risk, title=f"Titel {i}", reason="gelijktijdig",
                      **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3",
                         "POL-bruto_impact": "3", "POL-netto_impact": "2"}) for i in range(12)]

    def save(i):
        return ("chair", "POST", f"/risks/{code}/edit", forms[i])

    results = _concurrently(app, 12, save)
    assert set(results) <= {302, 409}, results
    assert results.count(302) >= 1
    db.session.expire_all()
    saved = db.session.scalar(db.select(Risk).filter_by(code=code))
    assert saved.version == opened + results.count(302)


def test_concurrent_saves_of_different_fields_all_merge(app, make_risk):
    risk = matching_risk(make_risk, AMB=(4, 3), POL=(3, 2))
    code = risk.code
    fields = ["title", "owner", "cause", "consequence", "description"]
    forms = [form_for(risk, **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3",
                               "POL-bruto_impact": "3", "POL-netto_impact": "2",
                               name: f"waarde {i}"}) for i, name in enumerate(fields)]

    def save(i):
        return ("chair", "POST", f"/risks/{code}/edit", forms[i])

    results = _concurrently(app, len(fields), save)
    assert results == [302] * len(fields), results
    db.session.expire_all()
    saved = db.session.scalar(db.select(Risk).filter_by(code=code))
    assert [getattr(saved, f) for f in fields] == [f"waarde {i}" for i in range(len(fields))]


def test_risks_created_at_once_get_different_codes(app):
    results = _concurrently(app, 8, lambda i: ("chair", "POST", "/risks/new",
                                               form_for(title=f"Gelijktijdig {i}")))
    assert results == [302] * 8, results
    codes = db.session.scalars(db.select(Risk.code)).all()
    assert sorted(codes) == [f"R-{n:04d}" for n in range(1, 9)]


def test_a_new_code_does_not_read_every_code(app, make_risk, count_queries):
    from lms_risk.risks.services import next_code
    make_risk("een")
    with count_queries() as queries:
        code = next_code()
    assert code == "R-0002"
    assert not any("SELECT risk.code" in q for q in queries), queries


def test_a_member_cannot_write_another_disciplines_rationale(client, auth, make_risk):
    risk = make_risk(likelihood=3, AMB=(4, 3))  # POL does not apply
    auth.login("amb")
    data = member_form(risk, "AMB", "POL", **{"POL-rationale": "niet ons probleem"})
    data.pop("POL-bruto_impact"), data.pop("POL-netto_impact")
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 403
    data = form_for(**{"POL-applies": None, "POL-bruto_impact": "", "POL-netto_impact": "",
                       "POL-rationale": "van een ander"})
    assert client.post("/risks/new", data=data).status_code == 403
    db.session.expire_all()
    assert all(i.rationale == "" for i in db.session.get(Risk, risk.id).impacts)


def test_scores_without_van_toepassing_are_refused_not_dropped(client, auth):
    auth.login("chair")
    data = form_for(**{"AMB-applies": None, "AMB-bruto_impact": "5", "AMB-netto_impact": "4",
                       "AMB-rationale": "ernstig"})
    response = client.post("/risks/new", data=data)
    assert response.status_code == 422
    assert "Vink ‘Van toepassing’ aan" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Risk.id))) == 0


def test_a_score_change_needs_a_reason(client, auth, make_risk):
    risk = matching_risk(make_risk, AMB=(4, 3), POL=(3, 2))
    auth.login("chair")
    page = client.get(f"/risks/{risk.code}/edit").get_data(as_text=True)
    assert "Verplicht wanneer u een score wijzigt" in page  # said before saving
    data = form_for(risk, netto_likelihood="2", **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3"})
    response = client.post(f"/risks/{risk.code}/edit", data=data)
    assert response.status_code == 422
    assert "Geef een reden" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ScoreChange.id))) == 0
    data["reason"] = "maatregel genomen"
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 302
    # a change of text alone needs none
    risk = db.session.get(Risk, risk.id)
    data = form_for(risk, title="Nieuwe titel", netto_likelihood="2",
                    **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3"})
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 302


def test_a_failed_save_keeps_every_value_and_summarises_errors_at_the_top(client, auth, make_risk):
    risk = make_risk(likelihood=3, AMB=(4, 3), POL=(3, 2))
    auth.login("pol")
    data = member_form(risk, "POL", "AMB", **{"POL-netto_impact": "5", "POL-bruto_impact": "3"})
    response = client.post(f"/risks/{risk.code}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # AMB's read-only scores are shown again, not blanked
    amb = page[page.index('name="AMB-netto_impact"'):]
    amb = amb[:amb.index("</select>")]
    assert 'selected value="3"' in amb or 'value="3" selected' in amb
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert page.index('id="error-summary"') < page.index('name="title"')  # at the top
    assert 'href="#POL-netto_impact"' in summary and "Netto impact (POL)" in summary
