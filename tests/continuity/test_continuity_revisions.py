"""Plans and exercises carry a revision: a form or a Plannen or Oefeningen row made from an older
one is refused, naming what to do, instead of silently overwriting someone else's change. The
blank import template holds the Plannen and Oefeningen sheets."""

from io import BytesIO

import openpyxl
from continuity_fixtures import make_exercise, make_plan  # noqa: F401

from lms_risk.continuity.fields import ExerciseData, PlanData
from lms_risk.continuity.models import Plan
from lms_risk.continuity.services import update_exercise, update_plan
from lms_risk.exchange.workbook import apply_import, export_register, export_template, plan_file
from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.risks.register import RegisterFilter


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _edit(data: bytes, code: str, edits: dict, drop: str | None = None,
          sheet: str = "Plannen") -> bytes:
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book[sheet]
    columns = {cell.value: cell.column for cell in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)
    for header, value in edits.items():
        ws.cell(row, columns[header]).value = value
    if drop:
        ws.delete_cols(columns[drop])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _plans_sheet(app, data, user):
    result = plan_file(data, "plannen.xlsx", user, app.config)
    return result, next(s for s in result.sheets if s.sheet == "Plannen")


def _change_title(plan, title, user):
    values = PlanData(**{**{f: getattr(plan, f) for f in ("title", "status", "target_minutes")},
                         "meldkamer": plan.meldkamer.code if plan.meldkamer else None,
                         "title": title, "steps": []})
    update_plan(plan, values, user, refs=refdata())


def test_two_imports_of_one_export_do_not_overwrite_each_other(app, make_plan, users):
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    export = _export(users["chair"])
    first, sheet = _plans_sheet(app, _edit(export, plan.code, {"Titel": "Uitwijk GMS (1)"}),
                                users["chair"])
    assert not first.refused and len(sheet.changed) == 1
    apply_import(first, users["chair"])
    db.session.commit()
    second, sheet = _plans_sheet(app, _edit(export, plan.code, {"Hersteldoel (min)": 45}),
                                 users["chair"])
    assert second.refused
    text = [str(m) for m in second.all_errors]
    assert any("blad Plannen" in t and "rij 2" in t and "Versie" in t and plan.code in t
               and "exporteer opnieuw" in t for t in text), text
    db.session.expire_all()
    assert (plan.title, plan.target_minutes) == ("Uitwijk GMS (1)", 30)
    # exported again, the row carries the new revision: unedited it is no change, edited it saves
    again = _export(users["chair"])
    result, sheet = _plans_sheet(app, again, users["chair"])
    assert not result.refused and (len(sheet.changed), sheet.unchanged) == (0, 1)
    result, sheet = _plans_sheet(app, _edit(again, plan.code, {"Hersteldoel (min)": 45}),
                                 users["chair"])
    assert not result.refused and len(sheet.changed) == 1


def test_a_changed_row_without_its_version_is_refused_an_unchanged_one_is_not(app, make_plan,
                                                                             users):
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    export = _export(users["chair"])
    result, sheet = _plans_sheet(app, _edit(export, plan.code, {}, drop="Versie"),
                                 users["chair"])
    assert not result.refused and sheet.unchanged == 1
    result, _sheet = _plans_sheet(app, _edit(export, plan.code, {"Hersteldoel (min)": 45},
                                             drop="Versie"), users["chair"])
    assert result.refused
    assert any("versie" in str(m) and plan.code in str(m) for m in result.all_errors)


def test_a_form_opened_before_someone_else_saved_is_refused(client, auth, make_plan, users):
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    auth.login("chair")
    page = client.get(f"/continuity/plans/{plan.code}/edit").get_data(as_text=True)
    assert f'name="revision" type="hidden" value="{plan.revision}"' in page
    opened = plan.revision
    _change_title(plan, "Uitwijk GMS door een ander", users["admin"])
    db.session.commit()
    stale = client.post(f"/continuity/plans/{plan.code}/edit", data={
        "title": "Mijn titel", "meldkamer": "RTD", "status": "actief", "revision": opened})
    assert stale.status_code == 409
    assert "intussen door iemand anders opgeslagen" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert plan.title == "Uitwijk GMS door een ander"
    fresh = client.post(f"/continuity/plans/{plan.code}/edit", data={
        "title": "Mijn titel", "meldkamer": "RTD", "status": "actief",
        "revision": plan.revision})
    assert fresh.status_code == 302
    db.session.expire_all()
    assert plan.title == "Mijn titel" and plan.revision == opened + 2


def test_the_blank_template_holds_the_plans_and_exercises_sheets(app, users):
    out = BytesIO()
    with app.test_request_context():
        export_template(out, users["chair"])
    book = openpyxl.load_workbook(BytesIO(out.getvalue()))
    assert {"Plannen", "Oefeningen"} <= set(book.sheetnames)
    plans = [c.value for c in book["Plannen"][1]]
    assert plans[:3] == ["Code", "Titel", "Meldkamer"] and "Versie" in plans
    assert book["Plannen"].max_row == 1 and book["Oefeningen"]["B1"].value == "Plan"
    # filled in, a template row is a new plan
    ws = book["Plannen"]
    columns = {cell.value: cell.column for cell in ws[1]}
    for header, value in (("Titel", "Uitwijk NL-Alert"), ("Meldkamer", "Limburg"),
                          ("Status", "Concept")):
        ws.cell(2, columns[header]).value = value
    filled = BytesIO()
    book.save(filled)
    result, sheet = _plans_sheet(app, filled.getvalue(), users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    assert len(sheet.new) == 1
    assert db.session.query(Plan).count() == 0


def _exercises_sheet(app, data, user):
    result = plan_file(data, "oefeningen.xlsx", user, app.config)
    return result, next(s for s in result.sheets if s.sheet == "Oefeningen")


def _change_notes(exercise, notes, user):
    values = ExerciseData(held_on=exercise.held_on, kind=exercise.kind, result=exercise.result,
                          achieved_minutes=exercise.achieved_minutes, notes=notes,
                          findings=[f.description for f in exercise.findings])
    update_exercise(exercise, values, user, refs=refdata())


def test_two_imports_of_one_exercise_export_do_not_overwrite_each_other(app, make_plan,
                                                                       make_exercise, users):
    exercise = make_exercise(make_plan("Uitwijk GMS", target=30), achieved=20)
    export = _export(users["chair"])
    first, sheet = _exercises_sheet(app, _edit(export, exercise.code, {"Toelichting": "Eerste"},
                                               sheet="Oefeningen"), users["chair"])
    assert not first.refused and len(sheet.changed) == 1
    apply_import(first, users["chair"])
    db.session.commit()
    second, sheet = _exercises_sheet(app, _edit(
        export, exercise.code, {"Hersteltijd (min)": 45}, sheet="Oefeningen"),
        users["chair"])
    assert second.refused
    text = [str(m) for m in second.all_errors]
    assert any("blad Oefeningen" in t and "rij 2" in t and "Versie" in t and exercise.code in t
               and "exporteer opnieuw" in t for t in text), text
    db.session.expire_all()
    assert (exercise.notes, exercise.achieved_minutes, exercise.revision) == ("Eerste", 20, 2)
    # exported again: unedited it is no change, edited it saves and counts
    again = _export(users["chair"])
    result, sheet = _exercises_sheet(app, again, users["chair"])
    assert not result.refused and (len(sheet.changed), sheet.unchanged) == (0, 1)
    result, sheet = _exercises_sheet(app, _edit(
        again, exercise.code, {"Hersteltijd (min)": 45}, sheet="Oefeningen"),
        users["chair"])
    assert not result.refused and len(sheet.changed) == 1
    apply_import(result, users["chair"])
    db.session.commit()
    db.session.expire_all()
    assert (exercise.achieved_minutes, exercise.revision) == (45, 3)


def test_a_changed_exercise_row_without_its_version_is_refused(app, make_plan, make_exercise,
                                                               users):
    exercise = make_exercise(make_plan("Uitwijk GMS", target=30))
    export = _export(users["chair"])
    result, sheet = _exercises_sheet(app, _edit(export, exercise.code, {}, drop="Versie",
                                                sheet="Oefeningen"), users["chair"])
    assert not result.refused and sheet.unchanged == 1
    result, _sheet = _exercises_sheet(app, _edit(export, exercise.code, {"Toelichting": "Nieuw"},
                                                 drop="Versie", sheet="Oefeningen"),
                                      users["chair"])
    assert result.refused
    assert any("versie" in str(m) and exercise.code in str(m) for m in result.all_errors)


def test_an_exercise_form_opened_before_someone_else_saved_is_refused(client, auth, make_plan,
                                                                      make_exercise, users):
    exercise = make_exercise(make_plan("Uitwijk GMS", target=30))
    auth.login("chair")
    page = client.get(f"/continuity/exercises/{exercise.code}/edit").get_data(as_text=True)
    assert f'name="revision" type="hidden" value="{exercise.revision}"' in page
    opened = exercise.revision
    _change_notes(exercise, "Door een ander", users["admin"])
    db.session.commit()
    form = {"held_on": exercise.held_on.isoformat(), "kind": "tabletop", "result": "geslaagd",
            "notes": "Mijn toelichting"}
    stale = client.post(f"/continuity/exercises/{exercise.code}/edit",
                        data={**form, "revision": opened})
    assert stale.status_code == 409
    assert "intussen door iemand anders opgeslagen" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert exercise.notes == "Door een ander"
    fresh = client.post(f"/continuity/exercises/{exercise.code}/edit",
                        data={**form, "revision": exercise.revision})
    assert fresh.status_code == 302
    db.session.expire_all()
    assert exercise.notes == "Mijn toelichting" and exercise.revision == opened + 2


# --- a save that races past the revision check ---------------------------------------------------
# Another request commits between this one's read and its write: the in-memory revision still
# matches, the database's no longer does (the UPDATE matches no row).

def _saved_elsewhere(model, item_id, **values):
    """Commit a change to the row from another connection, as a second request would."""
    from sqlalchemy import update
    with db.engine.connect() as other:
        other.execute(update(model).where(model.id == item_id)
                      .values(revision=model.revision + 1, **values))
        other.commit()


def test_a_plan_saved_by_someone_else_during_the_save_is_refused_by_name(app, make_plan, users):
    from lms_risk.continuity.services import SavedMeanwhileError
    from lms_risk.core.uow import ConcurrentChangeError
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    code, opened = plan.code, plan.revision
    _saved_elsewhere(Plan, plan.id, title="Door een ander")
    try:
        _change_title(plan, "Mijn titel", users["chair"])
    except SavedMeanwhileError as error:
        assert isinstance(error, ConcurrentChangeError)
        assert code in error.message and "zojuist door iemand anders opgeslagen" in error.message
    else:
        raise AssertionError("the racing save was not refused")
    db.session.rollback()
    assert (plan.title, plan.revision) == ("Door een ander", opened + 1)


def test_an_exercise_saved_by_someone_else_during_the_save_is_refused(app, make_plan,
                                                                      make_exercise, users):
    from lms_risk.continuity.models import Exercise
    from lms_risk.continuity.services import SavedMeanwhileError
    exercise = make_exercise(make_plan("Uitwijk GMS", target=30))
    code = exercise.code
    _saved_elsewhere(Exercise, exercise.id, notes="Door een ander")
    try:
        _change_notes(exercise, "Mijn toelichting", users["chair"])
    except SavedMeanwhileError as error:
        assert code in error.message and error.message.startswith("Oefening")
    else:
        raise AssertionError("the racing save was not refused")
    db.session.rollback()
    assert exercise.notes == "Door een ander"


def _racing(monkeypatch, service: str, model=Plan, **values):
    """The view's ``service`` (called with the plan or exercise first) runs after another request
    saved it with ``values``, as happens when two people save at the same moment."""
    from lms_risk.continuity import views
    real = getattr(views, service)

    def racing(item, *args, **kwargs):
        _saved_elsewhere(model, item.id, **values)
        return real(item, *args, **kwargs)

    monkeypatch.setattr(views, service, racing)


def test_the_plan_form_says_so_when_a_save_races_past_it(client, auth, make_plan, monkeypatch):
    """The form comes back (409) with what was typed and the message at the top, not a 500."""
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    auth.login("chair")
    _racing(monkeypatch, "update_plan", title="Door een ander")
    response = client.post(f"/continuity/plans/{plan.code}/edit", data={
        "title": "Mijn titel", "meldkamer": "RTD", "status": "actief",
        "revision": plan.revision})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "zojuist door iemand anders opgeslagen" in page and 'value="Mijn titel"' in page
    db.session.expire_all()
    assert plan.title == "Door een ander"


def test_the_exercise_form_says_so_when_a_save_races_past_it(client, auth, make_plan,
                                                              make_exercise, monkeypatch):
    from lms_risk.continuity.models import Exercise
    exercise = make_exercise(make_plan("Uitwijk GMS", target=30))
    auth.login("chair")
    _racing(monkeypatch, "update_exercise", Exercise, notes="Door een ander")
    response = client.post(f"/continuity/exercises/{exercise.code}/edit", data={
        "held_on": exercise.held_on.isoformat(), "kind": "tabletop", "result": "geslaagd",
        "notes": "Mijn toelichting", "revision": exercise.revision})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"Oefening {exercise.code} is zojuist door iemand anders opgeslagen" in page
    assert "Mijn toelichting" in page
    db.session.expire_all()
    assert exercise.notes == "Door een ander"


def test_other_plan_changes_that_race_get_a_409_page_not_a_500(client, auth, make_plan,
                                                                 monkeypatch, caplog):
    plan = make_plan("Uitwijk GMS", target=30)
    db.session.commit()
    auth.login("chair")
    _racing(monkeypatch, "approve_plan", title="Door een ander")
    response = client.post(f"/continuity/plans/{plan.code}/approve", headers={
        "Referer": f"http://localhost.test/continuity/plans/{plan.code}"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Intussen gewijzigd" in page and plan.code in page
    assert f'<a href="/continuity/plans/{plan.code}" class="me-3">Opnieuw openen</a>' in page
    assert any(r.getMessage().startswith("refused save:") and "changed meanwhile" in
               r.getMessage() for r in caplog.records)
    # a page elsewhere is not linked back to
    response = client.post(f"/continuity/plans/{plan.code}/approve", headers={
        "Referer": f"http://elders.example/continuity/plans/{plan.code}"})
    assert response.status_code == 409 and "Opnieuw openen" not in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert plan.approved_at is None and plan.title == "Door een ander"
