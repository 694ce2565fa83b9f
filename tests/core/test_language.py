"""No English on Dutch pages and no Dutch on English ones: stored audit summaries, role labels,
plurals, discipline names and the inherent/residual terms."""

import re

from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db


def _english(client):
    client.post("/language", data={"lang": "en", "next": "/risks"})


def test_audit_summaries_render_in_the_readers_language(client, auth, users):
    from lms_risk.auth.services import add_assignment, change_password
    add_assignment(users["viewer"], "member", discipline_code="KMAR", actor=users["admin"])
    change_password(users["viewer"], "een nieuwe lange zin voor de test")
    # events recorded before summaries were coded
    for summary, entity_type in (("password changed", "user"),
                                 ("role=member discipline=POL", "user"),
                                 ("new=0 changed=2 unchanged=46 conflicts=0 errors=0", "register")):
        db.session.add(AuditEvent(action="update", entity_type=entity_type, entity_id="x",
                                  summary=summary))
    db.session.commit()
    auth.login("admin")
    page = client.get("/audit").get_data(as_text=True)
    for english in ("password changed", "role=member", "new=0", "risk board member"):
        assert english not in page, english
    rows = page.split("<tbody>", 1)[1]  # the events, not the filter's list of actions
    assert rows.count("wachtwoord gewijzigd") == 2
    assert "rol lid van de risicoraad, KMAR" in page
    assert "rol lid van de risicoraad, POL" in page
    assert "nieuw: 0 · gewijzigd: 2 · ongewijzigd: 46" in page
    _english(client)
    page = client.get("/audit").get_data(as_text=True)
    assert page.split("<tbody>", 1)[1].count("password changed") == 2
    assert "role risk board member, KMAR" in page and "role risk board member, POL" in page
    assert "new: 0 · changed: 2 · unchanged: 46" in page
    assert "wachtwoord" not in page and "lid van de risicoraad" not in page


def test_english_pages_use_english_names_and_terms(client, auth, make_risk):
    risk = make_risk("Uitval GMS", likelihood=3, POL=(4, 3), LMS=(2, 2))
    auth.login("pol")
    _english(client)
    page = client.get("/risks").get_data(as_text=True)
    assert "affects Police" in page and "Politie" not in page
    assert "Residual (net, with measures)" in page and "Inherent (gross, without measures)" in page
    detail = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "(LMS) <span" not in detail and "(LMS) (LMS)" not in re.sub(r"<[^>]+>", "", detail)
    assert "Inherent (gross)" in detail and "Residual (net)" in detail
    assert ">Gross<" not in detail and ">Net<" not in detail


def test_plurals_in_the_import_preview(client, auth, make_risk):
    import io

    import openpyxl
    make_risk("Uitval GMS", likelihood=3, POL=(4, 3))
    auth.login("chair")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/risks/export.xlsx?discipline=all").data))
    ws = book["Register"]
    headers = {c.value: c.column for c in ws[1]}
    ws.cell(2, headers["Netto kans"]).value = "hoog"  # one error
    out = io.BytesIO()
    book.save(out)
    page = client.post("/risks/import", data={"file": (io.BytesIO(out.getvalue()), "r.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1 fout<" in page and "1 fouten" not in page
    assert "0 conflicten" in page


def test_a_wrong_file_type_is_named_as_such(client, auth):
    import io
    auth.login("chair")
    page = client.post("/risks/import", data={"file": (io.BytesIO(b"code;titel\nR-1;x\n"), "r.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="file-refused"' in page
    assert "geen Excel-werkmap" in page
    assert "verbeter de cellen hieronder" not in page


def test_translations_follow_a_locale_forced_within_the_request(app):
    """Templates and Python keep the request's translations once looked up; a ``force_locale``
    block (the workbook's Dutch headers on an English request) and its end still switch them."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    saved = lazy_gettext("Opslaan")
    page = "{{ _('Opslaan') }}|{{ localized(item) }}"
    item = type("Item", (), {"name_nl": "Ambulancezorg", "name_en": "Ambulance care"})()
    with app.test_request_context("/"):
        assert render_template_string(page, item=item) == "Opslaan|Ambulancezorg"
        with force_locale("en"):
            assert render_template_string(page, item=item) == "Save|Ambulance care"
            assert (gettext("Opslaan"), str(saved)) == ("Save", "Save")
        assert (gettext("Opslaan"), str(saved)) == ("Opslaan", "Opslaan")
        assert render_template_string(page, item=item) == "Opslaan|Ambulancezorg"
        with force_locale("en"):
            assert render_template_string(page, item=item) == "Save|Ambulance care"
