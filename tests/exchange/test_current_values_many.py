"""The import reads the register's values for most of the register in one query per table, and
finds exactly what it finds code by code: every field, impact and link, archived risks too."""

from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.risks.fields import ImpactData, RiskData
from lms_risk.risks.importer import _current_values
from lms_risk.risks.models import Risk
from lms_risk.risks.services import archive_risk, bulk_create_risks

MANY = 950  # more than one IN list of codes


def test_many_codes_read_whole_tables_with_the_same_values(app, users, count_queries):
    refs = refdata()
    meldkamers = [m.code for m in refs.meldkamers.all][:2]
    items = [(f"R-{9000 + n}", RiskData(
        title=f"Risico {n}", status="open", bruto_likelihood=4, netto_likelihood=2 + n % 2,
        owner="Teamleider ICT" if n % 3 else "", meldkamers=meldkamers[: n % 3],
        impacts={"AMB": ImpactData(applies=True, bruto_impact=5, netto_impact=3,
                                   rationale=f"Toelichting {n}")} if n % 2 else {}))
        for n in range(MANY + 10)]
    bulk_create_risks(items, users["chair"], refs=refs)
    archived = db.session.scalar(db.select(Risk).filter_by(code="R-9007"))
    archive_risk(archived, "Vervallen", users["admin"])
    db.session.commit()
    codes = [code for code, _data in items[:MANY]]  # not every risk: the others are left out

    _current_values(codes[:1], refs)  # reference data loaded before counting
    with count_queries() as queries:
        many = _current_values(codes, refs)
    assert len(queries) <= 5  # a count, then risks, impacts and both links: one query each

    assert sorted(many) == sorted(codes)  # the archived R-9007 among them, none of the rest
    for code in ("R-9000", "R-9001", "R-9005", "R-9007", codes[-1]):
        assert many[code] == _current_values([code], refs)[code]
    assert many["R-9005"]["AMB.rationale"] == "Toelichting 5"
    assert many["R-9005"]["meldkamers"] == sorted(meldkamers[:2])
