"""A workbook reads the same whoever imports it: the export writes Dutch labels for the choice
columns (Soort, Resultaat, Status …), and an importer who reads the app in English gets zero
changes from it, as a Dutch one does. Labels of either language are accepted in either."""

import re
from io import BytesIO

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms_risk.auth.models import User
from lms_risk.continuity.fields import EXERCISE_FIELDS, PLAN_FIELDS
from lms_risk.controls.sheets import VVT_FIELDS
from lms_risk.core.fields import choice_names
from lms_risk.demo.loader import load_demo_data
from lms_risk.exchange.workbook import export_register, plan_file
from lms_risk.extensions import db
from lms_risk.risks.fields import RISK_FIELDS
from lms_risk.risks.register import RegisterFilter

CHOICE_SETS = {f"{owner}.{f.name}": f.choices
               for owner, fields in (("risk", RISK_FIELDS), ("plan", PLAN_FIELDS),
                                     ("exercise", EXERCISE_FIELDS), ("vvt", VVT_FIELDS))
               for f in fields if f.kind == "choice"}
SHEETS = ("Register", "BIA", "Plannen", "Oefeningen", "Verklaring van Toepasselijkheid")


@pytest.fixture
def demo(app):
    """The demo register (risks, BIAs, plans, exercises, controls), loaded as on a new server."""
    for user in db.session.scalars(select(User)).all():
        db.session.delete(user)
    db.session.commit()
    load_demo_data()
    db.session.commit()
    return db.session.scalar(select(User).where(User.email == "voorzitter@lms-risk.local"))


def _export(user, language: str) -> bytes:
    out = BytesIO()
    with force_locale(language):
        export_register(out, RegisterFilter.from_args({"discipline": "all", "status": "all"}),
                        user)
    return out.getvalue()


def _plan(app, data: bytes, user, language: str):
    with force_locale(language):
        return plan_file(data, "export.xlsx", user, app.config)


@pytest.mark.parametrize("exported, imported", [("nl", "nl"), ("nl", "en"), ("en", "nl"),
                                                 ("en", "en")])
def test_an_unedited_export_re_imports_as_zero_changes_in_either_language(
        app, demo, exported, imported):
    plan = _plan(app, _export(demo, exported), demo, imported)
    assert [str(m) for m in plan.all_errors] == []
    assert (plan.new, plan.changed, plan.conflicts) == ([], [], [])
    read = {sheet.sheet: sheet.unchanged for sheet in plan.sheets}
    assert all(read.get(name, 0) > 0 for name in SHEETS), read


def _to_english(data: bytes) -> bytes:
    """Every Dutch choice label of the Plannen and Oefeningen sheets as its English label: a
    workbook filled in by someone who reads the app in English."""
    book = openpyxl.load_workbook(BytesIO(data))
    swapped = 0
    for sheet, fields in (("Plannen", PLAN_FIELDS), ("Oefeningen", EXERCISE_FIELDS)):
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        for spec in fields:
            if spec.kind != "choice":
                continue
            with force_locale("nl"):
                dutch = {str(label): code for code, label in spec.choices.items()}
            with force_locale("en"):
                english = {code: str(label) for code, label in spec.choices.items()}
            column = header.index(spec.header) + 1
            for row in range(2, ws.max_row + 1):
                cell = ws.cell(row, column)
                if cell.value in dutch and english[dutch[cell.value]] != cell.value:
                    cell.value = english[dutch[cell.value]]
                    swapped += 1
    assert swapped > 10  # "Technical failover", "Partly successful", "Active" …
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("imported", ["nl", "en"])
def test_english_labels_read_as_the_same_values_in_either_language(app, demo, imported):
    plan = _plan(app, _to_english(_export(demo, "nl")), demo, imported)
    assert [str(m) for m in plan.all_errors] == []
    assert (plan.new, plan.changed, plan.conflicts) == ([], [], [])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_label_and_code_reads_as_its_own_code_in_either_language(app, language):
    """No label of one language is another value's label or code in the other, so a cell never
    changes meaning with the reader's language."""
    with force_locale(language):
        for name, choices in CHOICE_SETS.items():
            names = choice_names(choices)
            for code, label in choices.items():
                for lang in ("nl", "en"):
                    with force_locale(lang):
                        text = str(label)
                    assert names[" ".join(text.split()).casefold()] == code, (name, lang, text)
                assert names[code.casefold()] == code, (name, code)


def test_unknown_value_is_still_refused_with_the_readers_labels(app, demo):
    book = openpyxl.load_workbook(BytesIO(_export(demo, "nl")))
    ws = book["Oefeningen"]
    column = [c.value for c in ws[1]].index("Soort") + 1
    ws.cell(2, column).value = "Brandoefening"
    out = BytesIO()
    book.save(out)
    plan = _plan(app, out.getvalue(), demo, "en")
    messages = [str(m) for m in plan.all_errors]
    assert len(messages) == 1 and "Technical failover" in messages[0], messages


def test_an_english_user_uploads_an_unedited_export_through_the_web(client, auth, users):
    from lms_risk.continuity.fields import ExerciseData, PlanData
    from lms_risk.continuity.services import create_plan, record_exercise
    from datetime import date

    chair = users["chair"]
    plan = create_plan(PlanData(title="Uitwijk GMS", meldkamer="RTD", status="actief",
                                fallback_meldkamer="DH", fallback_kind="uitwijk"), chair)
    for kind, result in (("failover", "deels"), ("uitwijk", "niet_geslaagd"),
                         ("tabletop", "geslaagd")):
        record_exercise(plan, ExerciseData(held_on=date(2026, 3, 1), kind=kind, result=result),
                        chair)
    db.session.commit()
    auth.login("chair")
    client.post("/language", data={"lang": "en", "next": "/risks"})
    data = client.get("/risks/export.xlsx?discipline=all").data
    page = client.post("/risks/import", data={"file": (BytesIO(data), "export.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    summary = re.search(r'id="import-summary">(.*?)</ul>', page, re.S).group(1)
    assert "0 errors" in summary and "4 unchanged" in summary, summary
    assert "unknown value" not in page
