"""An approved BIA version keeps the MTPD it had when it was approved: a later change of the MTPD
threshold or of a time window changes a concept version's MTPD, not an approved one's, on every
page and export that shows it. Both backends."""

from io import BytesIO

import openpyxl
from bia_fixtures import config, make_bia  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.bia.config import load_bia_config
from lms_risk.bia.models import BiaTimeWindow, BiaVersion
from lms_risk.bia.queries import targets
from lms_risk.bia.services import (
    DependencyInput,
    add_dependency,
    approve_version,
    chain_warnings,
    link_risk,
    mtpd,
    new_version,
)
from lms_risk.bia.settings import WindowData, save_window, set_mtpd_threshold
from lms_risk.exchange.workbook import export_register
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter

LEVEN = {"LEVEN": [1, 2, 4, 5, 5, 5]}  # threshold 4 is reached at 4 u; threshold 2 at 1 u


def _change_settings(users):
    """Threshold 4 → 2 (the grid now reaches it at 1 u), and 1 u becomes 50 minutes."""
    set_mtpd_threshold(2, users["admin"])
    window = db.session.scalar(select(BiaTimeWindow).where(BiaTimeWindow.code == "1u"))
    save_window(window, WindowData(code="1u", name_nl=window.name_nl, name_en=window.name_en,
                                   minutes=50, active=True), users["admin"])
    db.session.commit()
    db.session.expire_all()


def _sheet_mtpds(users) -> dict:
    out = BytesIO()
    export_register(out, RegisterFilter(), users["viewer"])
    ws = openpyxl.load_workbook(BytesIO(out.getvalue()))["BIA"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    return {(r["Code"], r["Versie"]): r["MTPD (min)"] for r in rows}


def test_approval_stores_the_mtpd_and_settings_no_longer_change_it(make_bia, users):
    approved = make_bia("GMS", grid=LEVEN, rto=60)
    concept = make_bia("C2000", grid=LEVEN, rto=60)
    approve_version(approved.current, users["chair"])
    db.session.commit()
    version = approved.current
    window_4u = load_bia_config().window_by_code["4u"]
    assert (version.approved_mtpd_minutes, version.approved_mtpd_window_id,
            version.approved_mtpd_threshold) == (240, window_4u.id, 4)
    _change_settings(users)
    config = load_bia_config()
    kept, live = mtpd(approved.current, config), mtpd(concept.current, config)
    assert (kept.minutes, kept.threshold, kept.kept, kept.window.code) == (240, 4, True, "4u")
    assert (live.minutes, live.threshold, live.kept, live.window.code) == (50, 2, False, "1u")
    found = targets([approved.id, concept.id])
    assert found[approved.id].mtpd.minutes == 240 and found[concept.id].mtpd.minutes == 50
    # a new version of the approved BIA is a concept: it follows the settings again
    second = new_version(approved, users["chair"])
    db.session.commit()
    assert mtpd(second, load_bia_config()).minutes == 50
    assert mtpd(approved.versions[0], load_bia_config()).minutes == 240
    assert _sheet_mtpds(users) == {(approved.code, 1): 240, (approved.code, 2): 50,
                                   (concept.code, 1): 50}


def test_pages_show_the_kept_mtpd_of_an_approved_version(client, auth, make_bia, make_risk,
                                                         users):
    approved = make_bia("Incidentsysteem", grid=LEVEN, rto=60)
    concept = make_bia("Publieksalarmering", grid=LEVEN, rto=60)
    approve_version(approved.current, users["chair"])
    risk = make_risk("Uitval GMS")
    link_risk(approved, risk, users["chair"])
    link_risk(concept, risk, users["chair"])
    db.session.commit()
    _change_settings(users)
    auth.login("viewer")
    page = client.get(f"/bia/{approved.code}").get_data(as_text=True)
    assert '<dd class="col-6" id="mtpd">4 u</dd>' in page
    assert 'id="mtpd-kept"' in page and "impact 4 of hoger" in page
    assert 'class="score mtpd' in page  # the window it fell in is still marked
    page = client.get(f"/bia/{concept.code}").get_data(as_text=True)
    assert '<dd class="col-6" id="mtpd">50 min</dd>' in page
    assert 'id="mtpd-kept"' not in page and "impact 2 of hoger" in page
    listing = client.get("/bia").get_data(as_text=True)
    assert listing.count('<td class="text-nowrap">4 u') == 1
    assert listing.count('<td class="text-nowrap">50 min') == 1
    panel = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert panel.count('<td class="text-nowrap">4 u') == 1
    assert panel.count('<td class="text-nowrap">50 min') == 1
    new_version(approved, users["chair"])
    db.session.commit()
    compare = client.get(f"/bia/{approved.code}/compare?a=1&b=2").get_data(as_text=True)
    assert "<td>4 u</td><td>50 min</td>" in compare


def test_the_chain_measures_against_the_kept_mtpd(make_bia, users):
    """A BIA without an RTO needs its dependencies within its MTPD: an approved one within the
    MTPD it was approved with."""
    approved = make_bia("GMS", grid=LEVEN)
    concept = make_bia("C2000", grid=LEVEN)
    for bia in (approved, concept):
        add_dependency(bia, DependencyInput(kind="supplier", name="Leverancier",
                                            recovery_minutes=120), users["chair"])
    approve_version(approved.current, users["chair"])
    db.session.commit()
    assert chain_warnings(approved)[0] == [] and chain_warnings(concept)[0] == []
    _change_settings(users)
    assert chain_warnings(approved)[0] == []
    [warning] = chain_warnings(concept)[0]
    assert (warning.recovery, warning.required) == (120, 50)


def test_approving_without_a_reached_threshold_keeps_no_mtpd(make_bia, users):
    bia = make_bia("GMS", grid={"LEVEN": [1, 1, 2, 2, 3, 3]})
    approve_version(bia.current, users["chair"])
    db.session.commit()
    _change_settings(users)
    result = mtpd(db.session.get(BiaVersion, bia.current.id), load_bia_config())
    assert (result.minutes, result.window, result.threshold, result.kept) == (None, None, 4, True)
