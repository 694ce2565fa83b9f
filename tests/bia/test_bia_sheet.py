"""The workbook's BIA sheet: one row per BIA version with its grid; imported with the app's rules,
preview and all-or-nothing; an unedited export re-imports as zero changes. Both backends."""

from datetime import date
from io import BytesIO

import openpyxl
from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)

from lms_risk.audit.models import AuditEvent
from lms_risk.bia.services import approve_version, classify, new_version
from lms_risk.exchange.workbook import apply_import, export_register, plan_file
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter

LEVEN_4U = "Mensenlevens en gezondheid · 4 uur"
LEVEN_1U = "Mensenlevens en gezondheid · 1 uur"


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _rows(data: bytes):
    ws = openpyxl.load_workbook(BytesIO(data))["BIA"]
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]


def _edit(data: bytes, edits: dict) -> bytes:
    """{(code, version, header): value} on the BIA sheet."""
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book["BIA"]
    columns = {cell.value: cell.column for cell in ws[1]}
    rows = {(ws.cell(r, 1).value, ws.cell(r, columns["Versie"]).value): r
            for r in range(2, ws.max_row + 1)}
    for (code, number, header), value in edits.items():
        ws.cell(rows[(code, number)], columns[header]).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _plan(app, data, user):
    return plan_file(data, "bia.xlsx", user, app.config)


def _bias(make_bia, users):
    gms = make_bia("GMS", meldkamers=["RTD"], voorziening="GMS",
                   grid={"LEVEN": [1, 2, 4, 5, 5, 5], "JUR": [1, 1, 2, 2, 3, 3]}, rto=60,
                   assessment_date=date(2026, 3, 1), mbco="Aanname via\nterugvalnummer",
                   rpo_minutes=5)
    approve_version(gms.current, users["chair"])
    new_version(gms, users["chair"])
    classify(gms, 3, 2, 2, users["chair"], reason="BIO")
    c2000 = make_bia("C2000-spraak", meldkamers=["DH"], grid={"BEREIK": [2, 3, 4, 4, 5, 5]},
                     mtpd_override_minutes=120, mtpd_override_reason="Besluit", rto=30)
    db.session.commit()
    return gms, c2000


def test_export_has_a_row_per_version_with_grid_and_targets(app, make_bia, users):
    gms, c2000 = _bias(make_bia, users)
    header, rows = _rows(_export(users["viewer"]))
    assert header[:5] == ["Code", "Onderwerp", "Voorziening", "Versie", "Vastgesteld"]
    assert [(r["Code"], r["Versie"]) for r in rows] == [(gms.code, 1), (gms.code, 2),
                                                        (c2000.code, 1)]
    first = rows[0]
    assert first[LEVEN_4U] == 4 and first["MTPD (min)"] == 240
    assert first["MTPD volgt uit"] == "raster"
    assert first["RTO (min)"] == 60 and first["RPO (min)"] == 5 and first["Vastgesteld"]
    assert first["B"] == 3 and first["BBN"] == 3 and first["Minimale dienstverlening"] \
        == "Aanname via\nterugvalnummer"
    assert rows[2]["MTPD (min)"] == 120 and rows[2]["MTPD volgt uit"] == "handmatig"
    assert rows[2]["Reden MTPD"] == "Besluit" and rows[1]["Vastgesteld"] is None


def test_an_unedited_export_reimports_as_zero_changes(app, make_bia, users):
    _bias(make_bia, users)
    plan = _plan(app, _export(users["chair"]), users["chair"])
    [sheet] = [p for p in plan.sheets if p.sheet == "BIA"]
    assert not plan.refused, [str(m) for m in plan.all_errors]
    assert (sheet.unchanged, sheet.changed, sheet.errors) == (3, [], [])


def test_an_edit_is_previewed_then_written_and_audited(app, make_bia, users):
    gms, c2000 = _bias(make_bia, users)
    data = _edit(_export(users["chair"]), {(gms.code, 2, "RTO (min)"): 30,
                                           (gms.code, 2, LEVEN_1U): 3,
                                           (c2000.code, 1, "RPO (min)"): 10})
    plan = _plan(app, data, users["chair"])
    assert not plan.refused, [str(m) for m in plan.all_errors]
    assert sorted(c.code for c in plan.changed) == [f"{gms.code} v2", f"{c2000.code} v1"]
    assert db.session.get(type(gms.current), gms.current.id).rto_minutes == 60  # preview only
    apply_import(plan, users["chair"])
    db.session.commit()
    db.session.expire_all()
    assert gms.current.rto_minutes == 30 and c2000.current.rpo_minutes == 10
    assert gms.current.grid()[(_cat(app, "LEVEN"), _win(app, "1u"))] == 3
    event = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.entity_id == gms.code, AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())).first()
    assert event.changes["v.rto_minutes"] == [60, 30]


def _cat(app, code):
    from lms_risk.bia.config import load_bia_config
    return load_bia_config().category_by_code[code].id


def _win(app, code):
    from lms_risk.bia.config import load_bia_config
    return load_bia_config().window_by_code[code].id


def test_bad_rows_are_named_and_nothing_is_written(app, make_bia, users):
    gms, c2000 = _bias(make_bia, users)
    data = _edit(_export(users["chair"]), {
        (gms.code, 2, LEVEN_4U): 1,  # lower than at 1 hour: refused
        (c2000.code, 1, "RTO (min)"): 500,  # longer than the MTPD (120 min)
        (c2000.code, 1, "RPO (min)"): 7,  # fine on its own: still not written
    })
    plan = _plan(app, data, users["chair"])
    assert plan.refused
    messages = [str(m) for m in plan.all_errors]
    assert any("rij 3" in m and "(Mensenlevens en gezondheid · 4 uur)" in m
               and "een impact neemt in de tijd niet af" in m for m in messages), messages
    assert any("rij 4" in m and "(RTO (min))" in m and "MTPD" in m for m in messages), messages
    assert all(m.startswith("blad BIA, rij") for m in messages)
    db.session.expire_all()
    assert c2000.current.rpo_minutes is None


def test_an_approved_version_refuses_changes_with_a_clear_message(app, make_bia, users):
    gms, _ = _bias(make_bia, users)
    plan = _plan(app, _edit(_export(users["chair"]), {(gms.code, 1, "RTO (min)"): 15}),
                 users["chair"])
    [error] = plan.all_errors
    assert f"{gms.code} versie 1 is vastgesteld" in str(error) and "rij 2" in str(error)
    assert "nieuwe versie" in str(error)


def test_unknown_bias_and_versions_and_rights_are_refused(app, make_bia, users):
    gms, c2000 = _bias(make_bia, users)
    book = openpyxl.load_workbook(BytesIO(_export(users["chair"])))
    ws = book["BIA"]
    ws.cell(2, 1).value = "BIA-999"
    ws.cell(3, 4).value = 7
    out = BytesIO()
    book.save(out)
    messages = [str(m) for m in _plan(app, out.getvalue(), users["chair"]).all_errors]
    assert any("onbekende BIA BIA-999" in m and "rij 2" in m for m in messages), messages
    assert any(f"{gms.code} heeft geen versie 7" in m for m in messages), messages
    # a member may import the register but not edit a BIA
    data = _edit(_export(users["amb"]), {(c2000.code, 1, "RPO (min)"): 10})
    messages = [str(m) for m in _plan(app, data, users["amb"]).all_errors]
    assert messages == [f"blad BIA, rij 4, kolom {_letter(data, 'RPO (min)')} (RPO (min)): "
                        f"u mag {c2000.code} niet bewerken"]


def _letter(data, header):
    from openpyxl.utils import get_column_letter
    ws = openpyxl.load_workbook(BytesIO(data))["BIA"]
    return get_column_letter(next(c.column for c in ws[1] if c.value == header))
