"""The continuity overview: each list, the takeover matrix, the percentages, its Excel export,
and a query count that does not grow with the data."""

from datetime import date, timedelta
from io import BytesIO

from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401
from openpyxl import load_workbook

from lms_risk.bia.services import DependencyInput, add_dependency, approve_version
from lms_risk.continuity.services import link_risk
from lms_risk.extensions import db

TODAY = date.today()


def _world(make_plan, make_exercise, make_rto_bia, make_risk, users, n=1):
    """Per round: a high risk without a plan, one with; a plan exercised recently (over its RTO),
    one exercised long ago, one never; a BIA with a slow dependency."""
    out = {}
    for i in range(n):
        bia = make_rto_bia(f"GMS {i}", rto=30, voorziening="GMS")
        approve_version(bia.current, users["chair"])
        slow = make_rto_bia(f"Netwerk {i}", rto=240)
        add_dependency(bia, DependencyInput(kind="bia", target_bia_id=slow.id), users["chair"])
        add_dependency(bia, DependencyInput(kind="supplier", name=f"Leverancier {i}",
                                            recovery_minutes=10), users["chair"])
        recent = make_plan(f"Uitwijk GMS RTD {i}", voorziening="GMS", fallback="DH", bia=bia,
                           target=20)
        old = make_plan(f"Overname 112 DH {i}", meldkamer="DH", voorziening="TEL112",
                        fallback="RTD", fallback_kind="overname")
        never = make_plan(f"Huisvesting NN {i}", meldkamer="NN", fallback="ON")
        over = make_exercise(recent, achieved=45, held_on=TODAY - timedelta(days=30))
        make_exercise(old, achieved=10, held_on=TODAY - timedelta(days=500))
        high = make_risk(f"Hoog zonder plan {i}", likelihood=5, AMB=(5, 5))
        covered = make_risk(f"Hoog met plan {i}", likelihood=5, AMB=(5, 5))
        make_risk(f"Laag {i}", likelihood=1, AMB=(1, 1))
        link_risk(recent, covered, users["chair"])
        db.session.commit()
        out.update(recent=recent, old=old, never=never, over=over, high=high, covered=covered,
                   bia=bia, slow=slow)
    return out


def test_overview_lists(client, auth, make_plan, make_exercise, make_rto_bia, make_risk, users):
    w = _world(make_plan, make_exercise, make_rto_bia, make_risk, users)
    auth.login("viewer")
    page = client.get("/continuity").get_data(as_text=True)

    def section(id_):
        start = page.index(f'id="{id_}"')
        return page[start:page.index("</table>", start)]

    assert w["high"].code in section("list-high") and w["covered"].code not in section("list-high")
    assert "Laag 0" not in section("list-high")
    not_exercised = section("list-not-exercised")
    assert w["old"].code in not_exercised and w["never"].code in not_exercised
    assert w["recent"].code not in not_exercised
    assert w["over"].code in section("list-over-rto")
    no_bia = section("list-no-bia")
    assert "112-meldkamertelefonie" in no_bia and "GMS" not in no_bia
    slow = section("list-slow")
    assert w["bia"].code in slow and "Netwerk 0" in slow and "Leverancier" not in slow
    matrix = section("takeover")
    assert "age-recent" in matrix and "age-aging" in matrix and "age-never" in matrix
    assert "nooit geoefend" in matrix  # the age in words, not colour only
    assert f"geoefend {(TODAY - timedelta(days=30)).strftime('%d-%m-%Y')}" in matrix
    alone = client.get("/continuity/takeover").get_data(as_text=True)
    assert w["recent"].code in alone and "age-recent" in alone


def test_overview_percentages(app, make_plan, make_exercise, make_rto_bia, make_risk, users):
    from lms_risk.continuity.queries import overview
    from lms_risk.continuity.services import approve_plan
    from lms_risk.reference.data import refdata
    w = _world(make_plan, make_exercise, make_rto_bia, make_risk, users)
    approve_plan(w["old"], users["chair"])
    refs = refdata()
    o = overview(refs, TODAY)
    rtd = refs.meldkamers.by_code["RTD"].id
    dh = refs.meldkamers.by_code["DH"].id
    gms = refs.voorzieningen.by_code["GMS"].id
    # RTD: GMS of 8 voorzieningen exercised in the year, not approved, target missed.
    assert (o.by_meldkamer[rtd].pct("documented"), o.by_meldkamer[rtd].pct("exercised"),
            o.by_meldkamer[rtd].pct("met")) == (0, 12, 0)
    # DH: TEL112 approved; exercised 500 days ago (not within the year) but its targets were met.
    assert (o.by_meldkamer[dh].pct("documented"), o.by_meldkamer[dh].pct("exercised"),
            o.by_meldkamer[dh].pct("met")) == (12, 0, 0)
    assert o.by_voorziening[gms].pct("exercised") == 10  # RTD of ten meldkamers


def test_overview_export_has_every_list(client, auth, make_plan, make_exercise, make_rto_bia,
                                        make_risk, users):
    w = _world(make_plan, make_exercise, make_rto_bia, make_risk, users)
    auth.login("viewer")
    response = client.get("/continuity/overview.xlsx")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Risico's zonder plan", "Niet geoefend", "Boven RTO",
                               "Voorzieningen zonder BIA", "Trage afhankelijkheden",
                               "Overnamematrix", "Percentages"]
    assert book["Risico's zonder plan"]["A2"].value == w["high"].code
    assert book["Boven RTO"]["A2"].value == w["over"].code
    rows = list(book["Overnamematrix"].iter_rows(min_row=2, values_only=True))
    assert ("Rotterdam", "Den Haag") in [r[:2] for r in rows]
    assert "nooit geoefend" in [r[5] for r in rows]


def test_overview_query_count_does_not_grow(client, auth, make_plan, make_exercise, make_rto_bia,
                                            make_risk, users, count_queries):
    _world(make_plan, make_exercise, make_rto_bia, make_risk, users, n=1)
    auth.login("viewer")
    client.get("/continuity")
    with count_queries() as small:
        assert client.get("/continuity").status_code == 200
    _world(make_plan, make_exercise, make_rto_bia, make_risk, users, n=3)
    with count_queries() as large:
        assert client.get("/continuity").status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_risk_page_panel_query_count_does_not_grow(client, auth, make_plan, make_exercise,
                                                   make_risk, users, count_queries):
    risk = make_risk("Uitval")
    for i in range(1):
        plan = make_plan(f"P{i}")
        make_exercise(plan)
        link_risk(plan, risk, users["chair"])
    db.session.commit()
    auth.login("admin")  # who gets every form of the page
    client.get(f"/risks/{risk.code}")
    with count_queries() as small:
        client.get(f"/risks/{risk.code}")
    for i, meldkamer in enumerate(("DH", "NN", "ON", "RTD", None)):  # a meldkamer is no query
        plan = make_plan(f"Q{i}", meldkamer=meldkamer, voorziening=None if meldkamer else "GMS")
        make_exercise(plan)
        make_exercise(plan)
        link_risk(plan, risk, users["chair"])
    db.session.commit()
    with count_queries() as large:
        page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "Q4" in page
    assert len(large) == len(small)


def test_takeover_page_query_count_does_not_grow(client, auth, make_plan, make_exercise,
                                                 make_rto_bia, make_risk, users, count_queries):
    w = _world(make_plan, make_exercise, make_rto_bia, make_risk, users, n=1)
    make_plan("Zonder uitwijk", meldkamer="LIM")  # names no fallback: no cell
    auth.login("viewer")
    client.get("/continuity/takeover")
    with count_queries() as small:
        assert client.get("/continuity/takeover").status_code == 200
    _world(make_plan, make_exercise, make_rto_bia, make_risk, users, n=3)
    with count_queries() as large:
        page = client.get("/continuity/takeover").get_data(as_text=True)
    assert w["old"].code in page and w["never"].code in page
    assert len(large) == len(small), (len(small), len(large))


def test_a_busy_takeover_cell_links_three_plans_and_the_rest_through_the_plans_list(
        client, auth, make_plan):
    plans = [make_plan(f"Uitwijk RTD → DH {i}", fallback="DH") for i in range(5)]
    db.session.commit()
    auth.login("viewer")
    page = client.get("/continuity/takeover").get_data(as_text=True)
    cell = page[page.index(f'href="/continuity/plans/{plans[0].code}"'):]
    cell = cell[:cell.index("</td>")]
    assert [p.code for p in plans[:3] if f'>{p.code}</a>' in cell] == [p.code for p in plans[:3]]
    assert plans[3].code not in cell and plans[4].code not in cell
    assert '<a href="/continuity/plans?meldkamer=RTD&amp;fallback=DH" class="link-dark">+2 meer</a>' \
        in cell
    listed = client.get("/continuity/plans?meldkamer=RTD&fallback=DH").get_data(as_text=True)
    assert all(p.code in listed for p in plans)
