"""Excel round trip: export, edit in 'Excel' (openpyxl), import; nothing half-written."""

import re
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from lms_risk.exchange.workbook import export_register
from lms_risk.extensions import db
from lms_risk.risks.models import Risk, ScoreChange
from lms_risk.risks.register import RegisterFilter

IMPORTS = Path(__file__).resolve().parents[2] / "imports"
SUMMARY = re.compile(r"^new=(\d+) changed=(\d+) unchanged=(\d+) conflicts=(\d+) errors=(\d+)$", re.M)


@pytest.fixture
def register(make_risk):
    a = make_risk("Uitval GMS Rotterdam", likelihood=3, AMB=(5, 4), POL=(3, 2), meldkamers=["RTD"])
    b = make_risk("Storing C2000", likelihood=2, POL=(4, 4))
    c = make_risk("Brand in meldkamer", likelihood=1, BRW=(5, 3))
    return a, b, c


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _edit(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """Set {(code, header): value} on the Register sheet, as someone in Excel would."""
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book["Register"]
    columns = {cell.value: cell.column for cell in ws[1]}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for (code, header), value in edits.items():
        ws.cell(rows[code], columns[header]).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _run(runner, tmp_path, data: bytes, *args, name="register.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["import-register", str(path), *args])
    counts = SUMMARY.search(result.output)
    assert counts, result.output
    return result, dict(zip(("new", "changed", "unchanged", "conflicts", "errors"),
                            map(int, counts.groups())))


def test_unedited_export_imports_with_zero_changes(runner, tmp_path, register, users):
    result, counts = _run(runner, tmp_path, _export(users["chair"]))
    assert result.exit_code == 0, result.output
    assert counts == {"new": 0, "changed": 0, "unchanged": 3, "conflicts": 0, "errors": 0}


def test_three_edited_cells_change_exactly_three_fields(runner, tmp_path, register, users):
    a, b, c = register
    versions = {r.code: r.version for r in register}
    data = _edit(_export(users["chair"]), {
        (a.code, "Titel"): "Uitval GMS Rotterdam langer dan 4 uur",
        (a.code, "AMB netto impact"): 3,
        (b.code, "Status"): "In behandeling",
    })
    result, counts = _run(runner, tmp_path, data, name="board-2026-11.xlsx")
    assert result.exit_code == 0, result.output
    assert counts == {"new": 0, "changed": 2, "unchanged": 1, "conflicts": 0, "errors": 0}
    db.session.expire_all()
    a2, b2, c2 = (db.session.scalar(db.select(Risk).filter_by(code=r.code)) for r in register)
    assert a2.title == "Uitval GMS Rotterdam langer dan 4 uur"
    assert a2.impact_for(a2.impacts[0].discipline_id).netto_impact == 3  # AMB is the first
    assert b2.status == "in_behandeling"
    assert c2.version == versions[c.code]
    from lms_risk.audit.models import AuditEvent
    updates = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert sorted(key for event in updates for key in event.changes) == [
        "AMB.netto_impact", "status", "title"]  # exactly the three edited cells
    changes = db.session.scalars(db.select(ScoreChange)).all()
    assert [(ch.field, ch.old_value, ch.new_value, ch.reason) for ch in changes] == [
        ("netto_impact", "4", "3", "import board-2026-11.xlsx")]
    # The same file again changes nothing.
    again, counts = _run(runner, tmp_path, data, name="board-2026-11.xlsx")
    assert again.exit_code == 0, again.output
    assert counts == {"new": 0, "changed": 0, "unchanged": 3, "conflicts": 0, "errors": 0}


def test_dry_run_writes_nothing(runner, tmp_path, register, users):
    a = register[0]
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "Nieuwe titel"})
    result, counts = _run(runner, tmp_path, data, "--dry-run")
    assert result.exit_code == 0 and counts["changed"] == 1
    db.session.expire_all()
    assert db.session.get(Risk, a.id).title == "Uitval GMS Rotterdam"


def test_a_row_older_than_the_register_is_a_conflict(runner, tmp_path, register, users):
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import update_risk
    a, b, c = register
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "Mijn titel",
                                          (b.code, "Eigenaar"): "Manager C2000"})
    # Someone else changes risk a after the export.
    update_risk(a, RiskData(title="Hun titel", bruto_likelihood=3, netto_likelihood=3,
                            status="open", impacts={}), users["pol"],
                expected_version=a.version)
    db.session.commit()
    result, counts = _run(runner, tmp_path, data)
    assert result.exit_code == 1
    assert counts["conflicts"] == 1 and counts["changed"] == 1
    assert f"conflict: rij 2 {a.code}: versie 1 in het bestand, 2 in het register" in result.output
    db.session.expire_all()
    # Refused as a whole: not even the good row of b is written.
    assert db.session.get(Risk, a.id).title == "Hun titel"
    assert db.session.get(Risk, b.id).owner == ""


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(
        runner, tmp_path, register, users):
    a, b, c = register
    data = _edit(_export(users["chair"]), {
        (a.code, "Status"): "weg",
        (a.code, "Meldkamers"): "RTD, Atlantis",
        (b.code, "Bruto kans"): 9,
        (b.code, "Titel"): "=1+1",
        (c.code, "Code"): a.code,
    })
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book["Register"]
    ws.append(["R-9001", None, "Een nieuw risico zonder titel"])
    ws.append(["R-9002", "Nieuw goed risico", None, None, None, None, None, "Open", None, None, 2, 2])
    ws.cell(1, ws.max_column + 1).value = "XYZ bruto impact"
    out = BytesIO()
    book.save(out)
    result, counts = _run(runner, tmp_path, out.getvalue())
    assert result.exit_code == 1
    text = result.output
    assert "blad Register, rij 2, kolom H (Status)" in text and "onbekende waarde; kies uit" in text
    assert "onbekende waarde Atlantis" in text
    assert "rij 3, kolom K (Bruto kans)" in text and "buiten de matrix (1–5)" in text
    assert "rij 3, kolom B (Titel): deze cel bevat een formule" in text
    assert f"code {a.code} staat ook in rij 2" in text
    assert "rij 5, kolom B (Titel): vul dit veld in" in text
    assert "onbekende discipline XYZ" in text
    assert counts["errors"] >= 7
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Risk.id))) == 3  # R-9002 not created either


def test_a_required_field_without_a_column_is_named(runner, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Register"
    ws.append(["Code", "Bruto kans", "Netto kans"])
    ws.append(["R-4001", 2, 1])
    out = BytesIO()
    book.save(out)
    result, counts = _run(runner, tmp_path, out.getvalue())
    assert result.exit_code == 1
    assert "blad Register, rij 2, veld Titel: vul dit veld in" in result.output


def test_headers_in_english_in_any_order_unknown_columns_and_blank_rows(runner, tmp_path, users):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Register"
    ws.append(["Net likelihood", "Title", "Code", "Gross likelihood", "AMB applies",
               "AMB gross impact", "AMB net impact", "Remarks"])
    ws.append([2, "Uitval P2000 in Zeeland", "R-2001", 3, "yes", 4, 3, "ignored"])
    ws.append([None] * 8)
    ws.append([1, "Lekkage in serverruimte", "R-2002", 2, "nee", None, None, None])
    out = BytesIO()
    book.save(out)
    result, counts = _run(runner, tmp_path, out.getvalue())
    assert result.exit_code == 0, result.output
    assert counts == {"new": 2, "changed": 0, "unchanged": 0, "conflicts": 0, "errors": 0}
    assert "onbekende kolom, genegeerd" in result.output and "Remarks" in result.output
    risk = db.session.scalar(db.select(Risk).filter_by(code="R-2001"))
    assert (risk.netto_likelihood, risk.bruto_likelihood, risk.netto_priority) == (2, 3, 6)


def test_hostile_files_get_a_clear_error(runner, tmp_path):
    import os
    for data, expected in ((os.urandom(4096), "geen Excel-werkmap"),
                           (b"Code;Titel\nR-1;Uitval\n", "tekst of CSV"),
                           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "oud Excel-bestand")):
        result, counts = _run(runner, tmp_path, data)
        assert result.exit_code == 1 and counts["errors"] >= 1
        assert expected in result.output


def test_a_sheet_beyond_the_configured_rows_is_refused_with_the_limit(app, runner, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 3
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Register"
    ws.append(["Code", "Titel", "Bruto kans", "Netto kans"])
    for n in range(5):
        ws.append([f"R-30{n}", f"Risico {n}", 2, 1])
    out = BytesIO()
    book.save(out)
    result, counts = _run(runner, tmp_path, out.getvalue())
    assert result.exit_code == 1 and counts["new"] == 0 and counts["errors"] == 1
    assert "toegestaan zijn 3 rijen met gegevens" in result.output


def test_samples_in_imports_folder(runner, tmp_path):
    result, counts = _run(runner, tmp_path, (IMPORTS / "voorbeeld-goed.xlsx").read_bytes())
    assert result.exit_code == 0, result.output
    assert counts["new"] >= 5 and counts["errors"] == 0
    result, counts = _run(runner, tmp_path, (IMPORTS / "voorbeeld-fout.xlsx").read_bytes())
    assert result.exit_code == 1 and counts["errors"] >= 5
    template = openpyxl.load_workbook(IMPORTS / "risicoregister-template.xlsx")
    assert template["Register"].max_row == 1
    result, counts = _run(runner, tmp_path, (IMPORTS / "risicoregister-template.xlsx").read_bytes())
    assert result.exit_code == 0 and counts == {
        "new": 0, "changed": 0, "unchanged": 0, "conflicts": 0, "errors": 0}


# --- the web: upload, preview, confirm -----------------------------------------------------

def _upload(client, data: bytes, name="register.xlsx"):
    return client.post("/risks/import", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_web_preview_then_confirm(client, auth, register, users):
    a, b, c = register
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "Nieuwe titel via Excel"})
    auth.login("chair")
    page = _upload(client, data).get_data(as_text=True)
    assert "1 gewijzigd" in page and "2 ongewijzigd" in page
    assert "Uitval GMS Rotterdam" in page and "Nieuwe titel via Excel" in page
    db.session.expire_all()
    assert db.session.get(Risk, a.id).title == "Uitval GMS Rotterdam"  # only a preview
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/risks/import/confirm", data={"token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Risk, a.id).title == "Nieuwe titel via Excel"
    # The token is spent.
    again = client.post("/risks/import/confirm", data={"token": token})
    assert again.status_code == 302 and again.headers["Location"].endswith("/risks/import")


def test_web_preview_lists_errors_and_offers_no_confirmation(client, auth, register, users):
    a = register[0]
    data = _edit(_export(users["chair"]), {(a.code, "Netto kans"): "hoog"})
    auth.login("chair")
    page = _upload(client, data).get_data(as_text=True)
    assert "Er is niets ingelezen" in page
    assert "geen geheel getal" in page and "Netto kans" in page
    assert "/risks/import/confirm" not in page


def test_confirm_token_belongs_to_its_uploader(client, auth, register, users):
    a = register[0]
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "X"})
    auth.login("chair")
    page = _upload(client, data).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    auth.logout()
    auth.login("admin")
    response = client.post("/risks/import/confirm", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/risks/import")
    db.session.expire_all()
    assert db.session.get(Risk, a.id).title == "Uitval GMS Rotterdam"


def test_member_may_only_change_own_discipline_by_import(client, auth, register, users):
    a = register[0]
    data = _edit(_export(users["chair"]), {(a.code, "POL netto impact"): 1})
    auth.login("amb")
    page = _upload(client, data).get_data(as_text=True)
    assert "niet van POL" in page and "/risks/import/confirm" not in page
    # The refusal points at the changed cell, not at the discipline's first column.
    assert "<td>POL netto impact</td>" in page and "<td>POL van toepassing</td>" not in page


def test_editors_download_the_template_from_the_upload_page(client, auth):
    auth.login("amb")
    page = client.get("/risks/import").get_data(as_text=True)
    assert 'href="/risks/import/template.xlsx"' in page
    book = openpyxl.load_workbook(BytesIO(client.get("/risks/import/template.xlsx").data))
    assert book.sheetnames == ["Register", "Matrix", "Plannen", "Oefeningen", "Lijsten",
                               "Toelichting"]


def test_import_pages_are_for_editors_only(client, auth):
    for role in ("viewer", "auditor"):
        auth.login(role)
        assert client.get("/risks/import").status_code == 403
        assert client.get("/risks/import/template.xlsx").status_code == 403
        assert client.post("/risks/import/confirm", data={"token": "x" * 32}).status_code == 403
        auth.logout()


def test_upload_size_is_bounded(app, client, auth):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    auth.login("chair")
    response = _upload(client, b"PK" + bytes(50_000))
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)


def test_a_row_older_than_the_register_merges_cells_only_the_other_changed(
        runner, tmp_path, register, users):
    from lms_risk.risks.fields import ImpactData
    from lms_risk.risks.services import risk_values, update_risk
    from lms_risk.reference.data import refdata
    a, b, c = register
    data = _edit(_export(users["chair"]), {(a.code, "AMB netto impact"): 3})
    # The POL member changes POL's netto impact after the export: another cell.
    theirs = risk_values(a, refdata())
    theirs.impacts = {"POL": ImpactData(applies=True, bruto_impact=3, netto_impact=1,
                                        rationale="")}
    update_risk(a, theirs, users["pol"], expected_version=a.version, reason="kalibratie")
    db.session.commit()
    result, counts = _run(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert counts["changed"] == 1 and counts["conflicts"] == 0
    db.session.expire_all()
    impacts = {i.discipline.code: i.netto_impact for i in db.session.get(Risk, a.id).impacts}
    assert (impacts["AMB"], impacts["POL"]) == (3, 1)  # both kept


def test_another_disciplines_cell_is_named_with_every_error_of_its_row(
        runner, tmp_path, register, users):
    a, b, c = register
    data = _edit(_export(users["chair"]), {(a.code, "POL netto impact"): 1,
                                          (a.code, "Netto kans"): 5})  # above bruto: refused
    result, counts = _run(runner, tmp_path, data, "--as", "amb@example.nl")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "rij 2" in line]
    assert any("niet van POL" in line and "POL netto impact" in line for line in lines), lines
    assert not any("POL van toepassing" in line for line in lines), lines
    assert any("Netto kans" in line for line in lines), lines


def test_changed_rows_keep_every_score_change_and_one_audit_event_each(
        runner, tmp_path, register, users):
    from lms_risk.audit.models import AuditEvent
    a, b, c = register
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "Nieuw A", (b.code, "Titel"): "Nieuw B",
                                          (b.code, "POL netto impact"): 3,
                                          (c.code, "Eigenaar"): "Brandweer"})
    result, counts = _run(runner, tmp_path, data, name="kalibratie.xlsx")
    assert result.exit_code == 0, result.output
    assert counts["changed"] == 3
    db.session.expire_all()
    changes = {(ch.risk.code, ch.field, ch.old_value, ch.new_value, ch.reason)
               for ch in db.session.scalars(db.select(ScoreChange))}
    assert changes == {(b.code, "netto_impact", "4", "3", "import kalibratie.xlsx")}
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="update")).all()
    assert sorted(e.entity_id for e in events) == sorted([a.code, b.code, c.code])
    assert all(e.entity_version == 2 for e in events)
    risk_b = db.session.get(Risk, b.id)
    assert (risk_b.title, risk_b.version, risk_b.netto_priority) == ("Nieuw B", 2, 6)


def test_anything_the_form_accepts_re_imports_unchanged(client, auth, runner, tmp_path, users):
    longest = "=SOM(A1)\r\n" + "x" * (32_767 - 10)  # the longest text, a formula-like start, CR/LF
    auth.login("chair")
    response = client.post("/risks/new", data={
        "title": "=1+1 lijkt een formule", "description": longest, "cause": "a\rb",
        "consequence": "@gevolg", "status": "open", "bruto_likelihood": "3",
        "netto_likelihood": "2", "AMB-applies": "y", "AMB-bruto_impact": "4",
        "AMB-netto_impact": "3", "AMB-rationale": "-min"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    result, counts = _run(runner, tmp_path, _export(users["chair"]))
    assert result.exit_code == 0, result.output
    assert counts == {"new": 0, "changed": 0, "unchanged": 1, "conflicts": 0, "errors": 0}


def _racing_import(monkeypatch, risk_id, **values):
    """Between the confirmed plan and its writing, another request saves the risk."""
    from sqlalchemy import update

    from lms_risk.exchange import views
    real = views.apply_import

    def racing(plan, user):
        with db.engine.connect() as other:
            other.execute(update(Risk).where(Risk.id == risk_id)
                          .values(version=Risk.version + 1, **values))
            other.commit()
        monkeypatch.setattr(views, "apply_import", real)  # once
        return real(plan, user)

    monkeypatch.setattr(views, "apply_import", racing)


def test_a_save_that_races_the_confirmed_import_writes_nothing_and_shows_it(
        client, auth, register, users, monkeypatch):
    """The bulk write finds the risk's version changed: the whole import rolls back and the page
    shows the preview as it is now (409), not a 500."""
    a = register[0]
    data = _edit(_export(users["chair"]), {(a.code, "Titel"): "Nieuwe titel via Excel"})
    auth.login("chair")
    page = _upload(client, data).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    _racing_import(monkeypatch, a.id, title="Door een ander")
    response = client.post("/risks/import/confirm", data={"token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "gewijzigd sinds de voorvertoning" in page and "1 conflict" in page
    assert 'action="/risks/import/confirm"' not in page  # a conflict: export again
    db.session.expire_all()
    assert db.session.get(Risk, a.id).title == "Door een ander"

