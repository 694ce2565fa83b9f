"""The workbook's Maatregelen and Verklaring van Toepasselijkheid sheets: export, an unedited
re-import changes nothing, edits are checked cell by cell and written all or nothing."""

import re
from io import BytesIO

import openpyxl
from controls_fixtures import implement, loaded  # noqa: F401  (fixtures)
from sqlalchemy import select

from lms_risk.controls.models import Implementation
from lms_risk.exchange.workbook import export_register
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter

SUMMARY = re.compile(r"new=(\d+) changed=(\d+) unchanged=(\d+) conflicts=(\d+) errors=(\d+)")
VVT = "Verklaring van Toepasselijkheid"


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter(), user)
    return out.getvalue()


def _edit(data: bytes, edits: dict) -> bytes:
    """Set {(ref, scope, header): value} on the VvT sheet, as someone in Excel would."""
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book[VVT]
    columns = {cell.value: cell.column for cell in ws[1]}
    rows = {(ws.cell(r, columns["Maatregel"]).value, ws.cell(r, columns["Scope"]).value): r
            for r in range(2, ws.max_row + 1)}
    for (ref, scope, header), value in edits.items():
        ws.cell(rows[(ref, scope)], columns[header]).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _run(runner, tmp_path, data, *args):
    path = tmp_path / "vvt.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["import-register", str(path), *args])
    counts = SUMMARY.search(result.output)
    assert counts, result.output
    return result, dict(zip(("new", "changed", "unchanged", "conflicts", "errors"),
                            map(int, counts.groups())))


def _setup(loaded, users):
    from datetime import date
    implement(loaded["9.1"], "voorziening:GMS", "volledig", owner="Beheer GMS",
              evidence="Rapport =SUM(A1)", evidence_link="https://example.nl/r",
              last_checked=date(2026, 10, 1), next_check=date(2027, 10, 1),
              discipline_id=None)
    implement(loaded["9.2"], "meldkamer:RTD", "niet", applicable=False, reason="Geen eigen netwerk")
    implement(loaded["9.3"], "voorziening:GMS", "deels")


def test_sheets_are_exported(app, loaded, users):
    _setup(loaded, users)
    book = openpyxl.load_workbook(BytesIO(_export(users["chair"])))
    assert "Maatregelen" in book.sheetnames and VVT in book.sheetnames
    controls = list(book["Maatregelen"].iter_rows(values_only=True))
    assert len(controls) == 1 + 6 + 3  # header, BIO sample, NIS2 sample
    vvt = list(book[VVT].iter_rows(values_only=True))
    assert len(vvt) == 1 + 3
    header = vvt[0]
    row = dict(zip(header, vvt[1]))
    assert row["Scope"] == "voorziening:GMS" and row["Status"] == "volledig"
    assert row["Bewijs"] == "Rapport =SUM(A1)"  # text, never a formula


def test_unedited_export_reimports_as_zero_changes(app, runner, tmp_path, loaded, users):
    _setup(loaded, users)
    result, counts = _run(runner, tmp_path, _export(users["chair"]))
    assert result.exit_code == 0, result.output
    assert counts["changed"] == 0 and counts["new"] == 0 and counts["errors"] == 0
    assert counts["unchanged"] >= 3


def test_edits_import_and_show_in_history(app, runner, tmp_path, loaded, users):
    _setup(loaded, users)
    data = _edit(_export(users["chair"]), {("9.3", "voorziening:GMS", "Status"): "volledig",
                                           ("9.3", "voorziening:GMS", "Eigenaar"): "Team GMS"})
    result, counts = _run(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert counts["changed"] == 1
    impl = db.session.scalar(select(Implementation).where(
        Implementation.control_id == loaded["9.3"].id))
    assert (impl.status, impl.owner) == ("volledig", "Team GMS")


def test_a_bad_cell_refuses_the_whole_sheet(app, runner, tmp_path, loaded, users):
    _setup(loaded, users)
    data = _edit(_export(users["chair"]), {("9.3", "voorziening:GMS", "Status"): "volledig",
                                           ("9.1", "voorziening:GMS", "Status"): "bijna",
                                           ("9.2", "meldkamer:RTD", "Reden niet van toepassing"):
                                               ""})
    result, counts = _run(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "Status" in result.output and "bijna" in result.output
    assert "Reden niet van toepassing" in result.output
    db.session.expire_all()
    impl = db.session.scalar(select(Implementation).where(
        Implementation.control_id == loaded["9.3"].id))
    assert impl.status == "deels"  # nothing written


def test_a_retired_controls_row_is_refused_and_nothing_is_written(app, runner, tmp_path, loaded,
                                                                   users):
    """A control the newer catalogue retired keeps its implementation as it was: a VvT row of an
    older export that changes it is refused on its URN cell (in the preview, not first on
    confirmation), and the rest of the file is not written either."""
    from controls_fixtures import bio_sample, catalogue

    from lms_risk.controls import loading
    _setup(loaded, users)
    implement(loaded["9.5"], "voorziening:GMS", "deels", owner="Team GMS")
    data = _edit(_export(users["chair"]), {("9.5", "voorziening:GMS", "Status"): "volledig",
                                           ("9.3", "voorziening:GMS", "Status"): "volledig"})
    # the export was made before the newer catalogue retired 9.5
    loading.load_catalogue(catalogue(bio_sample(version="2", drop=(5,))), users["admin"])
    db.session.commit()
    result, counts = _run(runner, tmp_path, data)
    assert result.exit_code == 1 and counts["errors"] == 1
    assert "9.5 is ingetrokken (niet meer in de catalogus)" in result.output
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Implementation.control_id,
                                              Implementation.status)).all())
    assert statuses[loaded["9.5"].id] == "deels" and statuses[loaded["9.3"].id] == "deels"
