"""The demo: a NIS2 catalogue and a BIO-style sample, statuses, BBN levels and risk links."""

from sqlalchemy import func, select

from lms_risk.bia.demo import load_demo_bias
from lms_risk.controls.demo import demo_catalogue, load_demo_controls
from lms_risk.controls.insight import gap_analysis
from lms_risk.controls.loading import load_catalogue
from lms_risk.controls.models import Control, Implementation, RiskControl
from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.risks.models import Risk


def test_demo_controls_fill_the_gap_analysis(app, users, make_risk):
    for n in range(8):
        make_risk(f"Demo risico {n}", likelihood=1 + n % 5, AMB=(5, 2 + n % 3))
    load_demo_bias(users["chair"])
    made = load_demo_controls(users["chair"])
    db.session.commit()
    assert made == 60
    nis2 = db.session.scalar(select(func.count()).select_from(Control).where(
        Control.ref_id.like("21(2)(%")))
    assert nis2 == 10
    assert db.session.scalar(select(func.count()).select_from(RiskControl)) == 9
    # The first risk's rationale cites the control linked to it, as a member would.
    first = db.session.scalar(select(Risk).order_by(Risk.id))
    assert any("[bio-voorbeeld V-03]" in i.rationale for i in first.impacts)
    analysis = gap_analysis(refdata(), "nl")
    codes = {r.scope.code for r in analysis.voorzieningen}
    assert {"GMS", "C2000", "NLALERT", "TEL112", "P2000"} <= codes
    assert all(r.percent is not None and 0 < r.percent < 100 for r in analysis.voorzieningen
               if r.scope.code in ("GMS", "C2000"))
    assert analysis.gaps and analysis.gaps[0].priority >= analysis.gaps[-1].priority
    # The demo catalogue loaded again changes nothing.
    assert load_catalogue(demo_catalogue(), users["chair"]).changes == 0
    assert db.session.scalar(select(func.count()).select_from(Implementation)) == made + 4
