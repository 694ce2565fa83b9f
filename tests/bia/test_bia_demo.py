"""Demo BIAs load through the services and show what the pages are for."""

from sqlalchemy import select

from lms_risk.bia.demo import load_demo_bias
from lms_risk.bia.models import Bia
from lms_risk.bia.services import chain_warnings, mtpd
from lms_risk.extensions import db


def test_demo_bias_load_with_versions_and_a_slow_chain(app, users, runner):
    bias = load_demo_bias(users["chair"])
    db.session.commit()
    subjects = [b.subject for b in db.session.scalars(select(Bia).order_by(Bia.code))]
    assert len(subjects) == 6 and subjects[0].startswith("Aanname 112")
    intake = bias[0]
    assert [v.number for v in intake.versions] == [1, 2] and intake.versions[0].frozen
    assert mtpd(intake.current).minutes == 15 and intake.bbn == 3
    warnings, loops = chain_warnings(intake)
    assert loops == []
    # through GMS to the Rotterdam building (4 h) and its power supplier (12 h)
    assert any(len(w.path) == 4 and w.path[-1] == "Netbeheerder (stroom)" for w in warnings)
    result = runner.invoke(args=["demo-bia"])
    assert result.exit_code == 1 and "already" in result.output


def test_demo_bias_link_to_the_risks_of_their_voorziening(app, users, make_risk):
    from lms_risk.bia.queries import risks_for_bia
    gms_risk = make_risk("Uitval GMS", voorzieningen=["GMS"])
    make_risk("Brand in de meldkamer")
    bias = load_demo_bias(users["chair"])
    db.session.commit()
    gms = next(b for b in bias if b.voorziening and b.voorziening.code == "GMS")
    assert [r.code for r in risks_for_bia(gms.id)] == [gms_risk.code]
    assert sum(len(risks_for_bia(b.id)) for b in bias) == 1
