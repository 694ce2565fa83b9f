"""The Plannen and Oefeningen sheets: exported with the register, imported with the same checks,
preview and all-or-nothing writing; an unedited export imports as zero changes."""


import re
from datetime import date, timedelta
from io import BytesIO

import openpyxl
import pytest
from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401
from sqlalchemy import func, select

from lms_risk.continuity.models import Exercise, Plan
from lms_risk.continuity.services import approve_plan, link_risk
from lms_risk.exchange.workbook import apply_import, export_register, plan_file
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter
from lms_risk.risks.services import archive_risk


@pytest.fixture
def world(make_plan, make_exercise, make_rto_bia, make_risk, users):
    bia = make_rto_bia("GMS", rto=30, voorziening="GMS")
    risk = make_risk("Uitval GMS", likelihood=3, AMB=(4, 3))
    a = make_plan("Uitwijk GMS Rotterdam", voorziening="GMS", fallback="DH", target=20, bia=bia,
                  steps=[("Besluit tot uitwijk", 5), ("Overdracht | aan DH", None)])
    b = make_plan("Overname 112 Den Haag", meldkamer="DH", voorziening="TEL112", fallback="RTD",
                  fallback_kind="overname")
    link_risk(a, risk, users["chair"])
    approve_plan(b, users["chair"])
    ex = make_exercise(a, achieved=45, held_on=date.today() - timedelta(days=20),
                       findings=["Wachtwoorden ontbraken", "Draaiboek verouderd"])
    make_exercise(b, kind="uitwijk", result="deels", achieved=None)
    db.session.commit()
    return a, b, ex, risk


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _edit(data: bytes, sheet: str, edits: dict) -> bytes:
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book[sheet]
    columns = {cell.value: cell.column for cell in ws[1]}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for (code, header), value in edits.items():
        if code not in rows:
            rows[code] = ws.max_row + 1
        ws.cell(rows[code], columns[header]).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _plan(app, data, user):
    return plan_file(data, "continuiteit.xlsx", user, app.config)


def _sheet(result, name):
    return next(s for s in result.sheets if s.sheet == name)


def test_export_has_plans_and_exercises(world, users):
    a, b, ex, risk = world
    book = openpyxl.load_workbook(BytesIO(_export(users["chair"])))
    plans = {r[0]: r for r in book["Plannen"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in book["Plannen"][1]]
    row = dict(zip(header, plans[a.code]))
    assert row["Meldkamer"] == "Rotterdam" and row["Uitwijkmeldkamer"] == "Den Haag"
    assert row["Herstelstappen"].splitlines()[0] == "Besluit tot uitwijk |  | 5"
    assert row["Risico's"] == risk.code and row["BIA"] == a.bia.code
    ex_header = [c.value for c in book["Oefeningen"][1]]
    ex_row = dict(zip(ex_header, next(r for r in book["Oefeningen"].iter_rows(
        min_row=2, values_only=True) if r[0] == ex.code)))
    assert ex_row["Boven RTO"] == "ja" and ex_row["RTO (min)"] == 30
    assert ex_row["Bevindingen"] == "Wachtwoorden ontbraken\nDraaiboek verouderd"


def test_unedited_export_imports_as_zero_changes(app, world, users):
    result = _plan(app, _export(users["chair"]), users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    for name, count in (("Plannen", 2), ("Oefeningen", 2)):
        sheet = _sheet(result, name)
        assert (len(sheet.new), len(sheet.changed), sheet.unchanged) == (0, 0, count), name


def test_edited_cells_change_those_fields_and_new_rows_are_created(app, world, users):
    a, b, ex, risk = world
    data = _edit(_export(users["chair"]), "Plannen", {
        (a.code, "Hersteldoel (min)"): 25, (a.code, "Herstelstappen"): "Besluit | OvD | 5",
        ("new", "Titel"): "Uitwijk NL-Alert", ("new", "Meldkamer"): "Limburg",
        ("new", "Status"): "Concept"})
    data = _edit(data, "Oefeningen", {
        (ex.code, "Hersteltijd (min)"): 25,
        ("new", "Plan"): a.code, ("new", "Datum"): date(2026, 1, 5),
        ("new", "Soort"): "Technische failover"})
    book = openpyxl.load_workbook(BytesIO(data))
    for ws in (book["Plannen"], book["Oefeningen"]):  # the placeholder code of the new rows
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value == "new":
                ws.cell(r, 1).value = None
    out = BytesIO()
    book.save(out)
    result = _plan(app, out.getvalue(), users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    plans, exercises = _sheet(result, "Plannen"), _sheet(result, "Oefeningen")
    assert len(plans.new) == 1 and len(plans.changed) == 1 and plans.unchanged == 1
    assert {f[0] for f in plans.changed[0].fields} == {"Hersteldoel (min)", "Herstelstappen"}
    assert len(exercises.new) == 1 and len(exercises.changed) == 1
    apply_import(result, users["chair"])
    db.session.commit()
    db.session.expire_all()
    assert a.target_minutes == 25 and [(s.description, s.responsible) for s in a.steps] == [
        ("Besluit", "OvD")]
    assert ex.achieved_minutes == 25 and len(a.exercises) == 2
    assert db.session.scalar(select(Plan).where(Plan.title == "Uitwijk NL-Alert")).meldkamer.code \
        == "LIM"


def test_errors_are_named_and_nothing_is_written(app, world, users):
    a, b, ex, risk = world
    data = _edit(_export(users["chair"]), "Plannen", {
        (a.code, "Hersteldoel (min)"): "lang", (b.code, "Titel"): "Anders",
        (a.code, "Risico's"): "R-9999"})
    data = _edit(data, "Oefeningen", {(ex.code, "Soort"): "Brandoefening"})
    result = _plan(app, data, users["chair"])
    assert result.refused
    text = [str(m) for m in result.all_errors]
    assert any("blad Plannen" in t and "Hersteldoel" in t and "geen geheel getal" in t
               for t in text), text
    assert any("vastgesteld" in t and b.code in t for t in text), text
    assert any("blad Oefeningen" in t and "Soort" in t and "onbekende waarde" in t
               for t in text), text
    with pytest.raises(ValueError):
        apply_import(result, users["chair"])
    db.session.expire_all()
    assert b.title == "Overname 112 Den Haag"


def test_a_coordinator_imports_only_their_meldkamers_plans(app, world, users):
    a, b, ex, risk = world
    data = _edit(_export(users["chair"]), "Plannen", {(a.code, "Hersteldoel (min)"): 10})
    result = _plan(app, data, users["rtd"])
    assert not result.refused, [str(m) for m in result.all_errors]
    refused = _plan(app, _edit(_export(users["chair"]), "Oefeningen", {
        ("new", "Plan"): b.code, ("new", "Datum"): date(2026, 1, 5), ("new", "Soort"): "Tabletop"}
        ), users["rtd"])
    assert any("niet wijzigen" in str(m) for m in refused.all_errors)
    assert db.session.scalar(select(func.count(Exercise.id))) == 2


def test_a_coordinator_uploads_plans_on_the_web_but_not_register_changes(client, auth, world,
                                                                          users):
    a, b, ex, risk = world
    auth.login("rtd")
    page = client.get("/risks/import")
    assert page.status_code == 200
    assert "Plannen" in page.text and "Oefeningen" in page.text
    assert "Download het lege sjabloon" not in page.text  # the template only makes risks
    data = _edit(_export(users["chair"]), "Plannen", {(a.code, "Hersteldoel (min)"): 10})
    preview = client.post("/risks/import", data={"file": (BytesIO(data), "plannen.xlsx")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and 'name="token"' in preview.text
    token = re.search(r'name="token"[^>]*value="([^"]+)"', preview.text).group(1)
    assert client.post("/risks/import/confirm", data={"token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, a.id).target_minutes == 10

    # The same person changes a risk's title in the Register sheet: that sheet is refused whole.
    data = _edit(_export(users["chair"]), "Register", {(risk.code, "Titel"): "Andere titel"})
    preview = client.post("/risks/import", data={"file": (BytesIO(data), "register.xlsx")},
                          content_type="multipart/form-data")
    assert "U mag dit blad niet inlezen" in preview.text and 'name="token"' not in preview.text
    db.session.expire_all()
    assert risk.title == "Uitval GMS"


def test_who_may_import_nothing_may_not_open_the_upload(client, auth):
    auth.login("viewer")
    assert client.get("/risks/import").status_code == 403


def test_an_approved_plans_bia_is_not_changed_by_a_sheet(app, world, users):
    a, b, ex, risk = world
    result = _plan(app, _edit(_export(users["chair"]), "Plannen", {(b.code, "BIA"): a.bia.code}),
                   users["chair"])
    assert result.refused
    assert any("blad Plannen" in str(m) and b.code in str(m) and "vastgesteld" in str(m)
               for m in result.all_errors), [str(m) for m in result.all_errors]
    db.session.expire_all()
    assert b.bia_id is None


def test_an_exercise_dated_after_today_is_refused_on_the_sheet(app, world, users):
    a, b, ex, risk = world
    tomorrow = date.today() + timedelta(days=1)
    for edits in ({("new", "Plan"): a.code, ("new", "Datum"): tomorrow,
                   ("new", "Soort"): "Tabletop"},
                  {(ex.code, "Datum"): tomorrow}):
        result = _plan(app, _edit(_export(users["chair"]), "Oefeningen", edits), users["chair"])
        assert result.refused
        text = [str(m) for m in result.all_errors]
        assert len(text) == 1 and "blad Oefeningen" in text[0] and "rij " in text[0] \
            and "(Datum)" in text[0] and f"De datum {tomorrow:%d-%m-%Y} ligt na vandaag" \
            in text[0], text
    db.session.expire_all()
    assert ex.held_on < date.today() and db.session.scalar(select(func.count(Exercise.id))) == 2


def test_an_unchanged_row_of_a_future_exercise_is_not_refused(app, world, users):
    """One stored before the date was checked: left as it is, the row imports as unchanged; a
    change to it needs a date that is not after today."""
    a, b, ex, risk = world
    early = Exercise(code="OEF-0099", plan=a, held_on=date.today() + timedelta(days=30),
                     kind="tabletop")
    db.session.add(early)
    db.session.commit()
    data = _export(users["chair"])
    result = _plan(app, data, users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    assert _sheet(result, "Oefeningen").unchanged == 3
    changed = _plan(app, _edit(data, "Oefeningen", {("OEF-0099", "Toelichting"): "Verzet"}),
                    users["chair"])
    assert any("(Datum)" in str(m) and "ligt na vandaag" in str(m) for m in changed.all_errors)


def test_an_archived_risk_is_not_linked_by_a_sheet(app, world, make_risk, users):
    a, b, ex, risk = world
    old = make_risk("Vervallen")
    archive_risk(old, "Dubbel", users["admin"])
    db.session.commit()
    result = _plan(app, _edit(_export(users["chair"]), "Plannen", {
        (a.code, "Risico's"): f"{risk.code}, {old.code}"}), users["chair"])
    assert result.refused
    assert any("blad Plannen" in str(m) and "Risico's" in str(m)
               and f"risico {old.code} is gearchiveerd" in str(m) for m in result.all_errors), \
        [str(m) for m in result.all_errors]
    db.session.expire_all()
    assert a.risks == [risk]
