"""The BBN gap analysis: the cumulative rule, compliance, ranking by risk priority, and the NIS2
view through mappings; each a fixed number of queries."""

from controls_fixtures import implement, loaded, set_level  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.controls import insight
from lms_risk.controls.insight import gap_analysis, nis2_view
from lms_risk.controls.models import Framework
from lms_risk.controls.scopes import scope_by_param
from lms_risk.controls.services import link_risk
from lms_risk.extensions import db
from lms_risk.reference.data import refdata


def _row(analysis, code):
    return next(r for r in analysis.voorzieningen + analysis.meldkamers if r.scope.code == code)


def test_bbn_levels_are_cumulative(app, loaded):
    set_level("voorziening:GMS", 1)
    set_level("voorziening:C2000", 2)
    set_level("meldkamer:RTD", 3)
    analysis = gap_analysis(refdata(), "nl")
    # BIO sample: 9.1 and 9.2 are BBN1, 9.3 and 9.4 BBN2, 9.5 BBN3; chapter 9 is not assessable.
    assert _row(analysis, "GMS").required == 2
    assert _row(analysis, "C2000").required == 4
    assert _row(analysis, "RTD").required == 5


def test_compliance_counts_partial_as_half_and_leaves_out_not_applicable(app, loaded, users):
    set_level("voorziening:GMS", 2)
    implement(loaded["9.1"], "voorziening:GMS", "volledig")
    implement(loaded["9.2"], "voorziening:GMS", "deels")
    implement(loaded["9.3"], "voorziening:GMS", "niet", applicable=False, reason="Geen netwerk")
    row = _row(gap_analysis(refdata(), "nl"), "GMS")
    assert (row.required, row.volledig, row.deels, row.niet, row.nvt) == (4, 1, 1, 1, 1)
    assert row.percent == 50  # (1 + 0.5) / 3


def test_bbn_level_from_the_bia_unless_set_by_hand(app, loaded, users):
    from lms_risk.bia.models import Bia
    from lms_risk.reference.models import Voorziening
    gms = db.session.scalar(select(Voorziening).where(Voorziening.code == "GMS"))
    db.session.add(Bia(code="BIA-900", subject="GMS", voorziening_id=gms.id, bbn=2))
    db.session.commit()
    assert _row(gap_analysis(refdata(), "nl"), "GMS").required == 4
    set_level("voorziening:GMS", 1)
    row = _row(gap_analysis(refdata(), "nl"), "GMS")
    assert (row.required, row.source) == (2, "hand")


def test_missing_controls_are_ranked_by_risk_priority(app, loaded, users, make_risk):
    set_level("voorziening:GMS", 2)
    low = make_risk("Kleine storing", likelihood=3, AMB=(2, 2), POL=(2, 2))
    high = make_risk("Grote storing", likelihood=5, AMB=(5, 5), POL=(1, 1))
    pol = make_risk("Politie getroffen", likelihood=4, AMB=(1, 1), POL=(4, 4))
    link_risk(low, loaded["9.2"], "planned", users["chair"])
    link_risk(high, loaded["9.4"], "planned", users["chair"])
    link_risk(pol, loaded["9.3"], "existing", users["chair"])
    db.session.commit()
    ranked = [g.label for g in gap_analysis(refdata(), "nl").gaps]
    assert ranked[:3] == ["9.4", "9.3", "9.2"]
    from lms_risk.reference.models import Discipline
    pol_id = db.session.scalar(select(Discipline.id).where(Discipline.code == "POL"))
    ranked = [g.label for g in gap_analysis(refdata(), "nl", discipline_id=pol_id).gaps]
    assert ranked[:3] == ["9.3", "9.2", "9.4"]
    implement(loaded["9.4"], "voorziening:GMS", "volledig")
    assert "9.4" not in [g.label for g in gap_analysis(refdata(), "nl").gaps]


def test_gap_analysis_query_count_does_not_grow(app, loaded, users, count_queries, make_risk):
    set_level("voorziening:GMS", 3)
    with count_queries() as few:
        gap_analysis(refdata(), "nl")
    for code in ("C2000", "P2000", "TEL112"):
        set_level(f"voorziening:{code}", 3)
    for ref in ("9.1", "9.2", "9.3"):
        risk = make_risk(f"Risico {ref}")
        link_risk(risk, loaded[ref], "planned", users["chair"])
        implement(loaded[ref], "voorziening:C2000", "deels")
    with count_queries() as more:
        gap_analysis(refdata(), "nl")
    assert len(more) == len(few)


def test_nis2_view_covers_directly_and_through_mappings(app, loaded):
    implement(loaded["9.1"], "voorziening:GMS", "deels")   # 9.1 intersects 21(2)(a)
    implement(loaded["9.3"], "voorziening:GMS", "volledig")  # 9.3 equals 21(2)(b)
    implement(loaded["21(2)(a)"], "meldkamer:RTD", "volledig")
    fw = db.session.scalar(select(Framework).where(Framework.code == "nis2-test"))
    by_ref = {c.measure.ref_id: c for c in nis2_view(fw, refdata()).coverage}
    assert by_ref["21(2)(a)"].counts == {"deels": 1, "volledig": 1}  # GMS via 9.1, RTD direct
    assert by_ref["21(2)(a)"].direct
    assert by_ref["21(2)(b)"].counts == {"volledig": 1} and not by_ref["21(2)(b)"].direct
    assert [c[1] for c in by_ref["21(2)(a)"].covering] == ["9.1"]
    assert by_ref["21(2)(c)"].counts == {} and not by_ref["21(2)(c)"].covering
    gms = scope_by_param(refdata(), "voorziening:GMS")
    by_ref = {c.measure.ref_id: c for c in nis2_view(fw, refdata(), gms).coverage}
    assert (by_ref["21(2)(a)"].status, by_ref["21(2)(b)"].status) == ("deels", "volledig")
    assert by_ref["21(2)(c)"].status is None


def test_nis2_view_over_every_scope_comes_in_pages(app, loaded, monkeypatch):
    monkeypatch.setattr(insight, "NIS2_PAGE", 2)
    implement(loaded["9.3"], "voorziening:GMS", "volledig")  # 9.3 equals 21(2)(b)
    fw = db.session.scalar(select(Framework).where(Framework.code == "nis2-test"))
    first, second = nis2_view(fw, refdata()), nis2_view(fw, refdata(), page=2)
    assert (first.page, first.pages, first.total) == (1, 2, 3)
    assert [c.measure.ref_id for c in first.coverage] == ["21(2)(a)", "21(2)(b)"]
    assert first.coverage[1].counts == {"volledig": 1}
    assert [c.measure.ref_id for c in second.coverage] == ["21(2)(c)"]
    assert nis2_view(fw, refdata(), page=9).page == 2  # beyond the end: the last page
    gms = scope_by_param(refdata(), "voorziening:GMS")
    assert len(nis2_view(fw, refdata(), gms, page=2).coverage) == 3  # one scope: every measure


def test_gaps_past_the_first_read_come_from_one_more_query(app, loaded, users, count_queries,
                                                           monkeypatch):
    """The first read covers the best-ranked controls; when those are all in place the rest is
    read at once, and the list is the same as when everything is read at once."""
    set_level("voorziening:GMS", 3)
    set_level("voorziening:C2000", 3)
    for ref in ("9.1", "9.2"):  # the first two in rank order (same priority, BBN1 first)
        implement(loaded[ref], "voorziening:GMS", "volledig")
        implement(loaded[ref], "voorziening:C2000", "volledig")
    implement(loaded["9.4"], "voorziening:C2000", "deels")
    monkeypatch.setattr(insight, "GAP_FIRST", 100)
    with count_queries() as at_once:
        expected = gap_analysis(refdata(), "nl", limit=2).gaps
    monkeypatch.setattr(insight, "GAP_FIRST", 2)
    with count_queries() as twice:
        gaps = gap_analysis(refdata(), "nl", limit=2).gaps
    assert [(g.label, g.scope.code, g.status) for g in gaps] == \
        [(g.label, g.scope.code, g.status) for g in expected]
    assert [(g.label, g.status) for g in gaps] == [("9.4", "deels"), ("9.3", "niet")]
    assert len(twice) == len(at_once) + 1
