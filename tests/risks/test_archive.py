"""Archive instead of delete: an archived risk leaves the register, its counts, the heatmaps and the
export, keeps its score history and audit trail, is seen by auditors, admins and the chair (who
may restore it), and is a 404 for everyone else. Only an admin deletes for good, with a reason, and
the audit trail still says what was deleted."""

from io import BytesIO

import openpyxl
import pytest

from lms_risk.audit.models import AuditEvent
from lms_risk.exchange.workbook import export_register, plan_file
from lms_risk.extensions import db
from lms_risk.risks.fields import ImpactData, RiskData
from lms_risk.risks.heatmap import build_heatmap
from lms_risk.risks.models import Risk, ScoreChange
from lms_risk.risks.register import RegisterFilter, count_risks, register_page
from lms_risk.risks.services import (
    RiskError,
    RiskPermissionError,
    archive_risk,
    hard_delete_risk,
    restore_risk,
    update_risk,
)


@pytest.fixture
def two(make_risk, users):
    """Two risks touching AMB; the first has a score history."""
    kept = make_risk("Storing C2000", likelihood=2, AMB=(4, 3), POL=(3, 3))
    gone = make_risk("Uitval GMS Rotterdam", likelihood=4, AMB=(5, 4), category="ICT",
                     meldkamers=["RTD"])
    update_risk(gone, RiskData(title=gone.title, bruto_likelihood=4, netto_likelihood=3,
                               status="open", category="ICT", meldkamers=["RTD"],
                               impacts={"AMB": ImpactData(True, 5, 4)}),
                users["chair"], expected_version=gone.version, reason="maatregel genomen")
    db.session.commit()
    return kept, gone


def _codes(client, url="/risks?discipline=all"):
    html = client.get(url).get_data(as_text=True)
    return {code for code in ("R-0001", "R-0002") if f">{code}<" in html}


def _register_codes(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(BytesIO(data), read_only=True)["Register"]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]


def _export(user, flt=None) -> bytes:
    out = BytesIO()
    export_register(out, flt or RegisterFilter(), user)
    return out.getvalue()


def test_archiving_takes_a_risk_out_of_register_counts_heatmap_and_export(client, auth, two, users):
    kept, gone = two
    history = db.session.scalar(db.select(db.func.count(ScoreChange.id))
                                .where(ScoreChange.risk_id == gone.id))
    assert history > 0
    auth.login("chair")
    assert _codes(client) == {"R-0001", "R-0002"}
    response = client.post(f"/risks/{gone.code}/archive",
                           data={"archive-reason": "Dubbel met R-0001"})
    assert response.status_code == 302
    assert "gearchiveerd" in client.get(response.headers["Location"]).get_data(as_text=True)

    assert _codes(client) == {"R-0001"}
    assert _codes(client, "/risks?discipline=AMB&status=all") == {"R-0001"}
    # every way of counting leaves it out, the index-only count of a discipline too
    for flt in (RegisterFilter(), RegisterFilter(discipline="AMB"),
                RegisterFilter(discipline="AMB", status="all")):
        assert count_risks(flt) == 1, flt
        assert register_page(flt).total == 1
        assert build_heatmap(flt).total == 1
    assert _register_codes(_export(users["chair"])) == [kept.code]
    heatmap = client.get("/heatmap?discipline=AMB").get_data(as_text=True)
    assert "Uitval GMS" not in heatmap

    db.session.expire_all()
    risk = db.session.get(Risk, gone.id)
    assert risk.archived_reason == "Dubbel met R-0001"
    assert risk.archived_by_id == users["chair"].id and risk.archived_at is not None
    # history and audit trail kept
    assert db.session.scalar(db.select(db.func.count(ScoreChange.id))
                             .where(ScoreChange.risk_id == gone.id)) == history
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="archive"))
    assert (event.entity_id, event.summary, event.user_id) == (
        gone.code, "Dubbel met R-0001", users["chair"].id)
    assert event.entity_version == risk.version
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        entity_id=gone.code)) == 3  # create, update, archive


def test_archiving_needs_a_reason(client, auth, two):
    _kept, gone = two
    auth.login("chair")
    response = client.post(f"/risks/{gone.code}/archive", data={"archive-reason": "   "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and "Geef een reden." in html
    db.session.expire_all()
    assert db.session.get(Risk, gone.id).archived_at is None
    assert _codes(client) == {"R-0001", "R-0002"}
    # control characters and overlong reasons: refused by the service, named on the field
    for reason in ("dubbel\x1b", "x" * 501):
        assert client.post(f"/risks/{gone.code}/archive",
                           data={"archive-reason": reason}).status_code == 422
    assert db.session.get(Risk, gone.id).archived_at is None


def test_the_archived_risk_page_shows_a_banner_to_auditors_and_is_404_for_others(
        client, auth, two, users):
    _kept, gone = two
    archive_risk(gone, "Dubbel met R-0001 <script>", users["chair"])
    db.session.commit()
    for who in ("amb", "pol", "viewer", "rtd"):
        auth.login(who)
        assert client.get(f"/risks/{gone.code}").status_code == 404, who
        html = client.get("/risks?status=gearchiveerd&discipline=all").get_data(as_text=True)
        assert "Uitval GMS" not in html, who
        assert 'id="filter-problems"' in html  # told the filter was not used
        data = client.get("/risks/export.xlsx?status=gearchiveerd&discipline=all").data
        assert gone.code not in _register_codes(data), who
        auth.logout()
    auth.login("auditor")
    html = client.get(f"/risks/{gone.code}").get_data(as_text=True)
    assert 'id="archived-banner"' in html
    assert "Gearchiveerd op" in html and users["chair"].display_name in html
    assert "Dubbel met R-0001 &lt;script&gt;" in html
    assert "restore-form" not in html and "Bewerken" not in html  # the auditor only reads
    listing = client.get("/risks?status=gearchiveerd&discipline=all").get_data(as_text=True)
    assert "Uitval GMS" in listing and "Storing C2000" not in listing
    assert 'id="archived-view"' in listing
    # the score history is still on its page
    assert "maatregel genomen" in html


def test_an_archived_risk_is_not_edited_by_form_service_or_workbook(
        client, auth, two, users, app):
    _kept, gone = two
    before = _export(users["chair"], RegisterFilter(status="gearchiveerd"))
    archive_risk(gone, "Dubbel", users["chair"])
    db.session.commit()
    auth.login("chair")
    response = client.get(f"/risks/{gone.code}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(gone.code)
    auth.logout()
    auth.login("amb")
    assert client.get(f"/risks/{gone.code}/edit").status_code == 404
    with pytest.raises(RiskError) as refused:
        update_risk(gone, RiskData(title="Nieuw", bruto_likelihood=4, netto_likelihood=3,
                                   status="open"), users["chair"], expected_version=gone.version)
    assert "archived" in refused.value.errors
    db.session.rollback()

    # a workbook: unchanged rows stay unchanged; a changed row is refused on its Code cell
    archived_export = _export(users["chair"], RegisterFilter(status="gearchiveerd"))
    assert _register_codes(archived_export) == [gone.code] and _register_codes(before) == []
    plan = plan_file(archived_export, "archief.xlsx", users["chair"], app.config)
    assert not plan.refused and plan.unchanged == 1
    book = openpyxl.load_workbook(BytesIO(archived_export))
    sheet = book["Register"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(2, headers["Titel"]).value = "Gewijzigd in Excel"
    out = BytesIO()
    book.save(out)
    plan = plan_file(out.getvalue(), "archief.xlsx", users["chair"], app.config)
    assert plan.refused
    [error] = plan.all_errors
    assert (error.sheet, error.row, error.column) == ("Register", 2, "A")
    assert "gearchiveerd" in error.message


def test_restore_brings_it_back_as_it_was(client, auth, two, users):
    _kept, gone = two
    archive_risk(gone, "Dubbel", users["chair"])
    db.session.commit()
    auth.login("auditor")
    assert client.post(f"/risks/{gone.code}/restore").status_code == 403
    auth.logout()
    auth.login("admin")
    response = client.post(f"/risks/{gone.code}/restore", data={"restore-reason": "toch nodig"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "archived-banner" not in html and "hersteld" in html
    assert _codes(client) == {"R-0001", "R-0002"}
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="restore"))
    assert (event.summary, event.user_id) == ("toch nodig", users["admin"].id)
    # restoring twice is refused with a message, not a 500
    assert client.post(f"/risks/{gone.code}/restore").status_code == 422
    # and the risk is edited again as before
    assert client.get(f"/risks/{gone.code}/edit").status_code == 200


def test_only_an_admin_deletes_for_good_with_a_reason_and_the_trail_says_what(
        client, auth, two, users):
    _kept, gone = two
    auth.login("chair")
    assert client.post(f"/risks/{gone.code}/delete",
                       data={"delete-reason": "test"}).status_code == 403
    assert "delete-form" not in client.get(f"/risks/{gone.code}").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert "delete-form" in client.get(f"/risks/{gone.code}").get_data(as_text=True)
    assert client.post(f"/risks/{gone.code}/delete", data={"delete-reason": ""}).status_code == 422
    assert db.session.get(Risk, gone.id) is not None
    response = client.post(f"/risks/{gone.code}/delete",
                           data={"delete-reason": "Aangemaakt als test"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(Risk).filter_by(code=gone.code)) is None
    assert db.session.scalar(db.select(db.func.count(ScoreChange.id))
                             .where(ScoreChange.risk_id == gone.id)) == 0
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="delete"))
    assert event.summary == "Aangemaakt als test" and event.user_id == users["admin"].id
    assert event.changes["title"] == ["Uitval GMS Rotterdam", None]
    assert event.changes["score_changes"][0] > 0
    trail = client.get(f"/audit?entity_id={gone.code}").get_data(as_text=True)
    # names, not codes; only what was set
    assert "Aangemaakt als test" in trail and "Uitval GMS Rotterdam" in trail
    assert "ICT en techniek" in trail  # the category's name, not its code
    assert "Scorehistorie (aantal wijzigingen)" in trail


def test_the_services_check_who_and_the_state(two, users):
    kept, gone = two
    with pytest.raises(RiskPermissionError):
        archive_risk(gone, "reden", users["amb"])
    with pytest.raises(RiskPermissionError):
        restore_risk(gone, users["auditor"])
    with pytest.raises(RiskPermissionError):
        hard_delete_risk(gone, "reden", users["chair"])
    with pytest.raises(RiskError):
        restore_risk(gone, users["chair"])  # not archived
    with pytest.raises(RiskError):
        archive_risk(gone, "", users["chair"])
    with pytest.raises(RiskError):
        hard_delete_risk(gone, " ", users["admin"])
    archive_risk(gone, "reden", users["chair"])
    with pytest.raises(RiskError):
        archive_risk(gone, "nog eens", users["chair"])
    hard_delete_risk(gone, "weg ermee", users["admin"])  # an archived risk can go for good too
    db.session.commit()
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="delete"))
    assert event.changes["archived_reason"] == ["reden", None]
    assert db.session.scalar(db.select(db.func.count(Risk.id))) == 1


def test_a_form_opened_before_archiving_and_restoring_merges_as_usual(client, auth, two, users):
    """Archiving raises the version; its audit events record it, so a save from the version before
    still merges field by field."""
    from test_risks import form_for
    _kept, gone = two
    opened = gone.version
    archive_risk(gone, "even weg", users["chair"])
    db.session.commit()
    restore_risk(gone, users["chair"])
    db.session.commit()
    assert gone.version == opened + 2
    auth.login("chair")
    data = form_for(gone, title="Uitval GMS Rotterdam-Rijnmond", category="ICT",
                    meldkamers=["RTD"], voorzieningen=[], cause="", consequence="",
                    owner="", bruto_likelihood="4", netto_likelihood="3",
                    **{"AMB-bruto_impact": "5", "AMB-netto_impact": "4",
                       "POL-applies": None, "POL-bruto_impact": "", "POL-netto_impact": ""})
    data["version"] = str(opened)
    response = client.post(f"/risks/{gone.code}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Risk, gone.id).title == "Uitval GMS Rotterdam-Rijnmond"
