"""The BIA's configuration pages (admin only): time windows, impact categories, the MTPD threshold
and the BBN rule; each change audited and used at once. Both backends."""

import re

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.audit.models import AuditEvent
from lms_risk.bia.config import load_bia_config
from lms_risk.bia.models import BiaTimeWindow
from lms_risk.bia.services import classify, mtpd
from lms_risk.bia.settings import SettingsError, WindowData, save_window
from lms_risk.extensions import db


def _events(entity_id):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "bia_config",
                                                       AuditEvent.entity_id == entity_id)).all()


def test_the_admin_start_page_links_to_the_bia_settings(client, auth):
    auth.login("admin")
    assert "/bia/admin" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/bia/admin").get_data(as_text=True)
    assert "Mensenlevens en gezondheid" in page and "BBN-regel (BIO 1.04)" in page
    auth.logout()
    auth.login("chair")
    assert client.get("/bia/admin").status_code == 403


def test_a_new_window_joins_the_grid_in_order_and_is_audited(client, auth, make_bia):
    bia = make_bia()
    auth.login("admin")
    response = client.post("/bia/admin/windows", data={
        "code": "30m", "name_nl": "30 minuten", "name_en": "30 minutes", "minutes": "30",
        "active": "y"})
    assert response.status_code == 302
    assert [w.code for w in load_bia_config().windows][:3] == ["15m", "30m", "1u"]
    [event] = _events("window:30m")
    assert event.action == "create" and event.changes["minutes"] == [None, 30]
    form = client.get(f"/bia/{bia.code}/versions/1/edit").get_data(as_text=True)
    assert 'name="g-LEVEN-30m"' in form
    # the same minutes twice, a bad code: refused and named
    again = client.post("/bia/admin/windows", data={"code": "halfuur", "name_nl": "Half uur",
                                                    "minutes": "30", "active": "y"})
    assert again.status_code == 422
    assert "Er is al een periode van 30 minuten." in again.get_data(as_text=True)
    bad = client.post("/bia/admin/windows", data={"code": "30 min", "name_nl": "x",
                                                  "minutes": "31", "active": "y"})
    assert bad.status_code == 422 and "Gebruik 1 tot 20 letters" in bad.get_data(as_text=True)


def test_a_deactivated_category_leaves_the_grid_and_keeps_its_scores(client, auth, make_bia):
    bia = make_bia(grid={"JUR": [1, 2, 3, 4, 4, 4], "LEVEN": [1, 1, 2, 2, 3, 3]})
    auth.login("admin")
    jur = load_bia_config().category_by_code["JUR"]
    response = client.post(f"/bia/admin/categories/{jur.id}", data={
        "code": "JUR", "name_nl": jur.name_nl, "name_en": jur.name_en,
        "sort_order": str(jur.sort_order)})  # the box unticked: inactive
    assert response.status_code == 302
    config = load_bia_config()
    assert "JUR" not in [c.code for c in config.categories]
    page = client.get(f"/bia/{bia.code}").get_data(as_text=True)
    assert "Juridisch" not in re.search(r'<table class="bia-grid.*?</table>', page, re.S).group(0)
    db.session.expire_all()
    assert len(bia.current.scores) == 12  # kept
    assert mtpd(bia.current, config).minutes is None  # only JUR reached 4
    assert _events("category:JUR")[0].changes == {"active": [True, False]}


def test_the_last_active_window_stays(app, users):
    windows = db.session.scalars(select(BiaTimeWindow).order_by(BiaTimeWindow.minutes)).all()
    for window in windows[:-1]:
        save_window(window, WindowData(window.code, window.name_nl, window.name_en,
                                       window.minutes, False), users["admin"])
    last = windows[-1]
    try:
        save_window(last, WindowData(last.code, last.name_nl, last.name_en, last.minutes, False),
                    users["admin"])
    except SettingsError as error:
        assert "active" in error.errors
    else:
        raise AssertionError("the last active window was deactivated")


def test_threshold_and_bbn_rule_change_what_follows(client, auth, make_bia, users):
    bia = make_bia(grid={"BEREIK": [2, 3, 4, 5, 5, 5]})
    auth.login("admin")
    assert client.post("/bia/admin/threshold", data={"threshold": "5"}).status_code == 302
    assert mtpd(bia.current, load_bia_config()).minutes == 1440
    assert _events("mtpd_threshold")[0].changes == {"mtpd_threshold": [4, 5]}
    assert client.post("/bia/admin/threshold", data={"threshold": "9"}).status_code == 422
    # BBN: B3 I1 V1 gives BBN 2 from now on
    rule = {f"bbn-{b}-{i}-{v}": str(max(b, i, v)) for b in (1, 2, 3) for i in (1, 2, 3)
            for v in (1, 2, 3)}
    rule["bbn-3-1-1"] = "2"
    assert client.post("/bia/admin/bbn", data=rule).status_code == 302
    assert _events("bbn_rule")[0].changes == {"B3I1V1": [3, 2]}
    classify(bia, 3, 1, 1, users["chair"], config=load_bia_config())
    assert bia.bbn == 2
    rule["bbn-1-1-1"] = "4"
    assert client.post("/bia/admin/bbn", data=rule).status_code == 422
