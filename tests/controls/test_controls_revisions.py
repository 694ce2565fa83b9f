"""An implementation (a control in one scope) carries a revision, as plans and exercises do: an
old export's Verklaring van Toepasselijkheid row, or an edit form opened before someone else
saved, is refused, naming what to do, instead of silently overwriting the newer change."""

from io import BytesIO

import openpyxl
from controls_fixtures import implement, loaded, scope  # noqa: F401  (fixtures)
from sqlalchemy import select, update

from lms_risk.controls.models import Implementation
from lms_risk.controls.services import ImplementationData, set_implementation
from lms_risk.exchange.workbook import apply_import, export_register, plan_file
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter
from test_controls_excel import VVT, _edit, _run

RTD = "meldkamer:RTD"


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _impl(control, scope_param=RTD) -> Implementation:
    db.session.expire_all()
    return db.session.scalar(select(Implementation).where(
        Implementation.control_id == control.id,
        Implementation.scope_key == scope(scope_param).key))


def _changed_in_the_app(control, user, scope_param=RTD, **values):
    """Someone saves the implementation in the app (the form's service)."""
    data = ImplementationData(**{**{k: getattr(_impl(control, scope_param), k) for k in (
        "applicable", "reason", "status", "owner", "discipline_id", "evidence", "evidence_link",
        "last_checked", "next_check")}, **values})
    set_implementation(control, scope(scope_param), data, user)
    db.session.commit()


def _vvt_sheet(app, data, user):
    result = plan_file(data, "vvt.xlsx", user, app.config)
    return result, next(s for s in result.sheets if s.sheet == VVT)


def _header(data: bytes) -> list:
    return [c.value for c in openpyxl.load_workbook(BytesIO(data))[VVT][1]]


def _drop(data: bytes, header: str) -> bytes:
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book[VVT]
    ws.delete_cols([c.value for c in ws[1]].index(header) + 1)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_old_export_does_not_overwrite_a_change_made_in_the_app(app, runner, tmp_path, loaded,
                                                                   users):
    """The lost update as reported: export, change 9.1 in RTD in the app, import the unedited
    export. It used to report changed=1 and put the old values back."""
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    implement(loaded["9.3"], "voorziening:GMS", "deels")
    export = _export(users["chair"])
    header = _header(export)
    assert header[-1] == "Versie" and header.index("Versie") > header.index("Volgende controle")
    assert _impl(loaded["9.1"]).revision == 1
    _changed_in_the_app(loaded["9.1"], users["admin"], status="niet", owner="Nieuwe eigenaar")
    assert _impl(loaded["9.1"]).revision == 2

    result, counts = _run(runner, tmp_path, export)
    assert result.exit_code == 1, result.output
    assert (counts["changed"], counts["errors"]) == (0, 1)
    assert "9.1 in meldkamer:RTD is sinds deze export gewijzigd (versie 2, dit bestand: 1)" \
        in result.output and "exporteer opnieuw" in result.output
    assert "Versie" in result.output
    # with a real edit of another row in the same file: nothing of the file is written
    old_file = _edit(export, {("9.3", "voorziening:GMS", "Status"): "volledig"})
    result, counts = _run(runner, tmp_path, old_file)
    assert result.exit_code == 1 and counts["errors"] == 1
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner, impl.revision) == ("niet", "Nieuwe eigenaar", 2)
    assert _impl(loaded["9.3"], "voorziening:GMS").status == "deels"

    # exported again, the row carries the new revision: unedited no change, edited it saves
    again = _export(users["chair"])
    result, counts = _run(runner, tmp_path, again)
    assert result.exit_code == 0 and (counts["changed"], counts["errors"]) == (0, 0)
    result, counts = _run(runner, tmp_path, _edit(again, {("9.1", RTD, "Eigenaar"): "Team RTD"}))
    assert result.exit_code == 0, result.output
    assert counts["changed"] == 1
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner, impl.revision) == ("niet", "Team RTD", 3)


def test_the_refusal_is_on_the_versie_cell_of_that_row(app, loaded, users):
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    export = _export(users["chair"])
    _changed_in_the_app(loaded["9.1"], users["admin"], owner="Nieuwe eigenaar")
    result, sheet = _vvt_sheet(app, export, users["chair"])
    assert result.refused and not sheet.changed
    letter = openpyxl.utils.get_column_letter(_header(export).index("Versie") + 1)
    text = [str(m) for m in result.all_errors]
    assert len(text) == 1 and f"rij 2, kolom {letter} (Versie)" in text[0], text
    assert "maatregel 9.1 in meldkamer:RTD" in text[0] and "exporteer opnieuw" in text[0]
    # a version the record never had is refused as well
    result, _sheet = _vvt_sheet(app, _edit(export, {("9.1", RTD, "Versie"): 7}), users["chair"])
    assert any("versie 7 is nieuwer" in str(m) for m in result.all_errors)


def test_a_changed_row_without_its_version_is_refused_an_unchanged_one_is_not(app, loaded,
                                                                             users):
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    export = _export(users["chair"])
    result, sheet = _vvt_sheet(app, _drop(export, "Versie"), users["chair"])
    assert not result.refused and (len(sheet.changed), sheet.unchanged) == (0, 1)
    edited = _drop(_edit(export, {("9.1", RTD, "Status"): "deels"}), "Versie")
    result, _sheet = _vvt_sheet(app, edited, users["chair"])
    assert result.refused
    assert any("de versie van maatregel 9.1 in meldkamer:RTD ontbreekt" in str(m)
               for m in result.all_errors), [str(m) for m in result.all_errors]
    assert _impl(loaded["9.1"]).status == "volledig"


def test_an_unedited_export_reimports_as_zero_changes(app, loaded, users):
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    _changed_in_the_app(loaded["9.1"], users["admin"], owner="Nieuwe eigenaar")
    implement(loaded["9.3"], "voorziening:GMS", "deels")
    result, sheet = _vvt_sheet(app, _export(users["chair"]), users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    assert (len(sheet.new), len(sheet.changed), sheet.unchanged) == (0, 0, 2)


def test_a_new_control_and_scope_row_imports_without_a_version(app, loaded, users):
    implement(loaded["9.1"], RTD, "volledig")
    book = openpyxl.load_workbook(BytesIO(_export(users["chair"])))
    ws = book[VVT]
    columns = {cell.value: cell.column for cell in ws[1]}
    row = ws.max_row + 1
    for header, value in (("URN", loaded["9.4"].urn), ("Scope", "voorziening:GMS"),
                          ("Van toepassing", "ja"), ("Status", "deels"),
                          ("Eigenaar", "Team GMS")):
        ws.cell(row, columns[header]).value = value
    out = BytesIO()
    book.save(out)
    result, sheet = _vvt_sheet(app, out.getvalue(), users["chair"])
    assert not result.refused, [str(m) for m in result.all_errors]
    assert (len(sheet.new), len(sheet.changed), sheet.unchanged) == (1, 0, 1)
    apply_import(result, users["chair"])
    db.session.commit()
    impl = _impl(loaded["9.4"], "voorziening:GMS")
    assert (impl.status, impl.owner, impl.revision) == ("deels", "Team GMS", 1)


def test_every_save_counts_form_bulk_and_import(app, client, auth, runner, tmp_path, loaded,
                                                users):
    implement(loaded["9.1"], RTD, "volledig")
    auth.login("rtd")
    url = f"/controls/{loaded['9.1'].id}/scope/{RTD}"
    assert client.post(url, data={"status": "deels", "applicable": "y",
                                  "revision": "1"}).status_code == 302
    assert _impl(loaded["9.1"]).revision == 2
    assert client.post(url, data={"status": "deels", "applicable": "y",
                                  "revision": "2"}).status_code == 302  # nothing changed
    assert _impl(loaded["9.1"]).revision == 2
    assert client.post("/controls/bulk", data={"scope": RTD, "status": "", "owner": "CaCo RTD",
                                               "control": [loaded["9.1"].id]}).status_code == 302
    assert _impl(loaded["9.1"]).revision == 3
    result, counts = _run(runner, tmp_path, _edit(_export(users["chair"]),
                                                  {("9.1", RTD, "Status"): "volledig"}))
    assert result.exit_code == 0 and counts["changed"] == 1, result.output
    assert _impl(loaded["9.1"]).revision == 4


# --- the edit form ------------------------------------------------------------------------------

def _text(response):
    return response.get_data(as_text=True)


def test_a_form_opened_before_someone_else_saved_is_refused(client, auth, loaded, users):
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    auth.login("rtd")
    url = f"/controls/{loaded['9.1'].id}/scope/{RTD}"
    assert 'name="revision" type="hidden" value="1"' in _text(client.get(url))
    _changed_in_the_app(loaded["9.1"], users["admin"], status="niet", owner="Nieuwe eigenaar")
    form = {"status": "deels", "applicable": "y", "owner": "Mijn eigenaar"}
    stale = client.post(url, data={**form, "revision": "1"})
    page = _text(stale)
    assert stale.status_code == 409
    assert "De implementatie van 9.1 in meldkamer:RTD is intussen door iemand anders opgeslagen" \
        in page and 'value="Mijn eigenaar"' in page
    assert page.index("intussen door iemand anders") < page.index('id="implementation-form"')
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner, impl.revision) == ("niet", "Nieuwe eigenaar", 2)
    fresh = client.post(url, data={**form, "revision": "2"})
    assert fresh.status_code == 302
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner, impl.revision) == ("deels", "Mijn eigenaar", 3)


def test_a_form_opened_before_the_record_existed_is_refused_once_someone_made_it(
        client, auth, loaded, users):
    auth.login("rtd")
    url = f"/controls/{loaded['9.2'].id}/scope/{RTD}"
    assert 'name="revision" type="hidden" value="0"' in _text(client.get(url))
    implement(loaded["9.2"], RTD, "volledig", owner="Beheer RTD")
    stale = client.post(url, data={"status": "deels", "applicable": "y", "owner": "Mijn eigenaar",
                                   "revision": "0"})
    assert stale.status_code == 409 and 'value="Mijn eigenaar"' in _text(stale)
    assert _impl(loaded["9.2"]).owner == "Beheer RTD"


# --- a save that races past the revision check ---------------------------------------------------
# Another request commits between this one's read and its write: the in-memory revision still
# matches, the database's no longer does (the UPDATE matches no row).

def _saved_elsewhere(impl_id, **values):
    """Commit a change to the row from another connection, as a second request would."""
    with db.engine.connect() as other:
        other.execute(update(Implementation).where(Implementation.id == impl_id)
                      .values(revision=Implementation.revision + 1, **values))
        other.commit()


def test_an_implementation_saved_by_someone_else_during_the_save_is_refused(app, loaded, users):
    from lms_risk.controls.services import SavedMeanwhileError
    from lms_risk.core.uow import ConcurrentChangeError
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    impl = _impl(loaded["9.1"])
    _saved_elsewhere(impl.id, owner="Door een ander")
    try:
        set_implementation(loaded["9.1"], scope(RTD), ImplementationData(status="deels"),
                           users["chair"], impl=impl)
    except SavedMeanwhileError as error:
        assert isinstance(error, ConcurrentChangeError)
        assert "9.1 in meldkamer:RTD is zojuist door iemand anders opgeslagen" in error.message
    else:
        raise AssertionError("the racing save was not refused")
    db.session.rollback()
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner, impl.revision) == ("volledig", "Door een ander", 2)


def test_the_form_says_so_when_a_save_races_past_it(client, auth, loaded, monkeypatch):
    """The form comes back (409) with what was typed and the message at the top, not a 500."""
    from lms_risk.controls import views
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    impl_id = _impl(loaded["9.1"]).id
    real = views.set_implementation

    def racing(*args, **kwargs):
        _saved_elsewhere(impl_id, owner="Door een ander")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "set_implementation", racing)
    auth.login("rtd")
    response = client.post(f"/controls/{loaded['9.1'].id}/scope/{RTD}", data={
        "status": "deels", "applicable": "y", "owner": "Mijn eigenaar", "revision": "1"})
    page = _text(response)
    assert response.status_code == 409
    assert "zojuist door iemand anders opgeslagen" in page and 'value="Mijn eigenaar"' in page
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner) == ("volledig", "Door een ander")


def test_a_bulk_edit_that_races_gets_a_409_page_not_a_500(client, auth, loaded, monkeypatch):
    from lms_risk.controls import services
    implement(loaded["9.1"], RTD, "volledig", owner="Beheer RTD")
    impl_id = _impl(loaded["9.1"]).id
    real, raced = services.set_implementation, []

    def racing(*args, **kwargs):  # after the bulk edit read the records, before it writes one
        if not raced:
            raced.append(True)
            _saved_elsewhere(impl_id, owner="Door een ander")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "set_implementation", racing)
    auth.login("rtd")
    response = client.post("/controls/bulk", data={
        "scope": RTD, "status": "deels", "control": [loaded["9.1"].id, loaded["9.2"].id]})
    assert response.status_code == 409
    assert "zojuist door iemand anders opgeslagen" in _text(response)
    impl = _impl(loaded["9.1"])
    assert (impl.status, impl.owner) == ("volledig", "Door een ander")
    assert _impl(loaded["9.2"]) is None  # the other control of the selection was not written
