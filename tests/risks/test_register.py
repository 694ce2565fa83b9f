"""The register page's filters, sorting, keyset pages and heatmaps."""

import re

import pytest

from lms_risk.extensions import db
from lms_risk.reference.models import Discipline
from lms_risk.risks.register import RegisterFilter, register_page


def codes_on(page_html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="/risks/(R-\d{4})"', page_html)))


@pytest.fixture
def register(make_risk):
    return {
        "gms": make_risk("Uitval GMS Rotterdam", likelihood=4, AMB=(5, 5), POL=(4, 3),
                         meldkamers=["RTD"], voorzieningen=["GMS"], category="ICT",
                         owner="Manager ICT"),
        "c2000": make_risk("Storing C2000 Limburg", likelihood=2, POL=(5, 4), BRW=(3, 2),
                           meldkamers=["LIM"], voorzieningen=["C2000"], category="ICT",
                           owner="Manager ICT", status="in_behandeling"),
        "staff": make_risk("Tekort centralisten", likelihood=5, AMB=(3, 2), status="concept",
                           category="PERS", owner="Hoofd meldkamer"),
        "kmar": make_risk("Uitval koppeling KMAR", likelihood=1, KMAR=(2, 1), category="KETEN"),
    }


def test_default_for_a_discipline_user_is_affects_my_discipline(client, auth, register):
    auth.login("pol")
    page = client.get("/risks").get_data(as_text=True)
    # POL netto priorities: gms 4×3 = 12, c2000 2×4 = 8; the others do not touch POL
    assert codes_on(page) == [register["gms"].code, register["c2000"].code]
    page = client.get("/risks?discipline=all").get_data(as_text=True)
    assert len(codes_on(page)) == 4


def test_sort_by_discipline_priority(client, auth, register):
    auth.login("viewer")
    page = client.get("/risks?discipline=AMB&sort=priority").get_data(as_text=True)
    # AMB netto priority: gms 4*5=20, staff 5*2=10
    assert codes_on(page) == [register["gms"].code, register["staff"].code]
    page = client.get("/risks?discipline=all&sort=priority-POL").get_data(as_text=True)
    assert codes_on(page)[:2] == [register["gms"].code, register["c2000"].code]  # 12, 8
    page = client.get("/risks?discipline=all&sort=priority").get_data(as_text=True)
    # register-wide: gms 20, staff 10, c2000 8, kmar 1
    assert codes_on(page) == [register[k].code for k in ("gms", "staff", "c2000", "kmar")]


@pytest.mark.parametrize("query, expected", [
    ("meldkamer=RTD", ["gms"]),
    ("voorziening=C2000", ["c2000"]),
    ("category=PERS", ["staff"]),
    ("status=in_behandeling", ["c2000"]),
    ("owner=Manager+ICT", ["gms", "c2000"]),
    ("q=centralist", ["staff"]),
    ("level=zeer_hoog", ["gms"]),
    ("level=laag", ["kmar"]),
    ("discipline=BRW", ["c2000"]),
    ("discipline=POL&level=hoog", ["gms", "c2000"]),
    ("discipline=BRW&level=midden", ["c2000"]),
    ("discipline=BRW&level=hoog", []),
    ("q=%25", []),
])
def test_filters(client, auth, register, query, expected):
    auth.login("viewer")
    url = f"/risks?{query}" if "discipline=" in query else f"/risks?discipline=all&{query}"
    page = client.get(url).get_data(as_text=True)
    assert sorted(codes_on(page)) == sorted(register[k].code for k in expected)


def test_keyset_pages_cover_every_risk_once(app, make_risk, backend):
    for i in range(23):
        make_risk(f"Risico {i:02d}", likelihood=1 + i % 5, AMB=(5, 1 + i % 4))
    for sort in ("priority", "code", "title", "updated", "review", "priority-AMB"):
        flt = RegisterFilter(discipline="AMB", sort=sort)
        seen, after = [], None
        while True:
            page = register_page(flt, after, size=5)
            seen += [r.code for r in page.rows]
            if not page.next_cursor:
                break
            after = page.next_cursor
        assert len(seen) == 23 and len(set(seen)) == 23, sort
    first = register_page(RegisterFilter(discipline="AMB"), None, size=50)
    amb = db.session.scalar(db.select(Discipline.id).filter_by(code="AMB"))
    keys = [(-r.impacts[amb][0], -r.priority, r.code) for r in first.rows]
    assert keys == sorted(keys) and len(keys) == 23


def test_query_count_does_not_depend_on_page_size(client, auth, make_risk, count_queries):
    for i in range(30):
        make_risk(f"Risico {i}", likelihood=3, AMB=(4, 3), POL=(3, 3), meldkamers=["AMS"])
    auth.login("viewer")
    counts = []
    for size in (5, 30):
        with count_queries() as queries:
            response = client.get(f"/risks?discipline=all&size={size}")
        assert response.status_code == 200
        assert len(codes_on(response.get_data(as_text=True))) == size
        counts.append(len(queries))
    cursor = re.search(r'after=([^&"]+)', response.get_data(as_text=True))
    assert cursor is None  # 30 risks fit on a page of 30
    with count_queries() as queries:
        first = client.get("/risks?discipline=all&size=5").get_data(as_text=True)
    deep_link = re.search(r'href="(/risks\?after=[^"]+)"', first)[1].replace("&amp;", "&")
    with count_queries() as deep_queries:
        assert client.get(deep_link).status_code == 200
    assert counts[0] == counts[1] == len(deep_queries)


def test_bad_url_values_do_not_break_the_page(client, auth, register):
    auth.login("viewer")
    for query in ("sort=drop", "likelihood=abc", "after=%%%", "after=WzEsMl0", "status=nope",
                  "discipline=XXX", "size=-3", "basis=evil"):
        assert client.get(f"/risks?{query}").status_code == 200, query


def test_heatmap_cell_links_to_exactly_its_risks(client, auth, register):
    auth.login("viewer")
    page = client.get("/heatmap?discipline=POL").get_data(as_text=True)
    # POL netto: gms (4,3), c2000 (2,4)
    link = re.search(r'data-likelihood="4" data-impact="3">\s*<a href="([^"]+)"', page)[1]
    assert ">1</a>" in page
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert codes_on(listed) == [register["gms"].code]
    # register-wide netto counts every risk once, in its worst discipline's cell
    page = client.get("/heatmap?discipline=all").get_data(as_text=True)
    assert "4 risico’s in deze heatmap." in page
    page = client.get("/heatmap?discipline=all&basis=bruto").get_data(as_text=True)
    link = re.search(r'data-likelihood="2" data-impact="5">\s*<a href="([^"]+)"', page)[1]
    assert codes_on(client.get(link.replace("&amp;", "&")).get_data(as_text=True)) == [
        register["c2000"].code]


def test_a_register_page_costs_seven_queries(client, auth, make_risk, count_queries):
    """The session with its user and roles, the code lists, the levels, the rows, their impacts,
    the count and the owners: reference data is loaded once, and the log line loads nothing."""
    for n in range(3):
        make_risk(f"Risico {n}", AMB=(3, 2))
    auth.login("pol")
    with count_queries() as queries:
        assert client.get("/risks?discipline=all").status_code == 200
    assert len(queries) == 7, [q[:80] for q in queries]


# --- What the register shows: closed risks, overdue reviews, target levels, ties, bad filters ----

def _set(risk, **values):
    for name, value in values.items():
        setattr(risk, name, value)
    db.session.commit()


def test_closed_risks_leave_the_default_view_and_heatmaps(client, auth, register):
    from lms_risk.risks.register import count_risks
    _set(register["gms"], status="gesloten")
    auth.login("viewer")
    page = client.get("/risks?discipline=all").get_data(as_text=True)
    assert register["gms"].code not in codes_on(page) and len(codes_on(page)) == 3
    page = client.get("/risks?discipline=all&status=gesloten").get_data(as_text=True)
    assert codes_on(page) == [register["gms"].code]
    page = client.get("/risks?discipline=all&status=all").get_data(as_text=True)
    assert len(codes_on(page)) == 4
    heatmap = client.get("/heatmap?discipline=all").get_data(as_text=True)
    assert "3 risico’s in deze heatmap." in heatmap
    heatmap = client.get("/heatmap?discipline=POL").get_data(as_text=True)
    assert "1 risico in deze heatmap." in heatmap  # gms (closed) no longer counts for POL
    assert client.get("/heatmap?discipline=all&status=all").get_data(as_text=True).count(
        "4 risico’s in deze heatmap.") == 1
    assert count_risks(RegisterFilter(discipline="POL")) == 1
    assert count_risks(RegisterFilter(discipline="POL", status="all")) == 2


def test_overdue_reviews_are_flagged_and_filtered(client, auth, register, monkeypatch):
    from datetime import date

    from lms_risk.risks import register as register_module
    monkeypatch.setattr(register_module, "today", lambda: date(2026, 11, 23))
    _set(register["gms"], next_review=date(2026, 9, 26))
    _set(register["c2000"], next_review=date(2027, 1, 10))
    auth.login("viewer")
    page = client.get("/risks?discipline=all").get_data(as_text=True)
    row = re.search(rf'{register["gms"].code}</a></td>.*?</tr>', page, re.S)[0]
    assert "verlopen" in row
    row = re.search(rf'{register["c2000"].code}</a></td>.*?</tr>', page, re.S)[0]
    assert "verlopen" not in row
    page = client.get("/risks?discipline=all&review=overdue").get_data(as_text=True)
    assert codes_on(page) == [register["gms"].code]
    detail = client.get(f"/risks/{register['gms'].code}").get_data(as_text=True)
    assert 'id="flag-overdue"' in detail
    assert 'id="flag-overdue"' not in client.get(f"/risks/{register['c2000'].code}").get_data(
        as_text=True)


def test_netto_level_above_target_is_flagged(client, auth, register):
    from lms_risk.matrix.models import RiskLevel
    laag = db.session.scalar(db.select(RiskLevel).filter_by(code="laag"))
    zeer_hoog = db.session.scalar(db.select(RiskLevel).filter_by(code="zeer_hoog"))
    _set(register["gms"], target_level_id=laag.id)  # netto zeer hoog
    _set(register["kmar"], target_level_id=zeer_hoog.id)  # netto laag
    auth.login("viewer")
    page = client.get("/risks?discipline=all").get_data(as_text=True)
    row = re.search(rf'{register["gms"].code}</a></td>.*?</tr>', page, re.S)[0]
    assert "boven streef" in row
    row = re.search(rf'{register["kmar"].code}</a></td>.*?</tr>', page, re.S)[0]
    assert "boven streef" not in row
    assert 'id="flag-target"' in client.get(f"/risks/{register['gms'].code}").get_data(as_text=True)
    assert 'id="flag-target"' not in client.get(f"/risks/{register['kmar'].code}").get_data(
        as_text=True)


def test_ties_in_a_discipline_sort_follow_the_register_priority_then_code(client, auth, make_risk,
                                                                           backend):
    # POL netto 12 for all three; register-wide 12, 15, 15
    a = make_risk("A", likelihood=3, POL=(4, 4))
    b = make_risk("B", likelihood=3, POL=(4, 4), AMB=(5, 5))
    c = make_risk("C", likelihood=3, POL=(4, 4), BRW=(5, 5))
    auth.login("viewer")
    page = client.get("/risks?discipline=POL&sort=priority").get_data(as_text=True)
    assert codes_on(page) == [b.code, c.code, a.code]
    # Keyset pages of one row each keep that order: the cursor carries every key.
    seen, url = [], "/risks?discipline=POL&sort=priority&size=1"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += codes_on(html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = nxt[1].replace("&amp;", "&") if nxt else None
    assert seen == [b.code, c.code, a.code]
    flt = RegisterFilter(discipline=None, sort="priority-POL")
    seen, after = [], None
    while True:
        page = register_page(flt, after, size=2)
        seen += [r.code for r in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [b.code, c.code, a.code]


def test_unknown_url_filters_are_named_on_the_page(client, auth, register):
    auth.login("viewer")
    page = client.get("/risks?discipline=all&meldkamer=XYZ&sort=drop&status=nope").get_data(
        as_text=True)
    assert 'id="filter-problems"' in page
    for text in ("meldkamer</strong> = “XYZ”", "sortering</strong> = “drop”",
                 "status</strong> = “nope”"):
        assert text in page
    assert 'id="filter-problems"' not in client.get("/risks?discipline=all&meldkamer=RTD").get_data(
        as_text=True)
