"""A discipline's rationale citing the controls that lower its netto score ("[bio-test 9.1]"):
shown on the risk page as a link with the control's status in the risk's scopes, offered on the
form, refused alike by the form and the Excel import while the control is not linked to the risk,
and listed on the control's page; with query counts that do not grow with the citations."""

import re
from io import BytesIO

import openpyxl
import pytest
from controls_fixtures import implement, loaded  # noqa: F401  (fixtures)

from lms_risk.controls.services import link_risk, unlink_risk
from lms_risk.exchange.workbook import export_register
from lms_risk.extensions import db
from lms_risk.reference.data import refdata
from lms_risk.risks.fields import ImpactData, RiskData
from lms_risk.risks.forms import form_values
from lms_risk.risks.models import Risk
from lms_risk.risks.register import RegisterFilter
from lms_risk.risks.services import RiskError, create_risk, risk_values, update_risk

REFUSED = "is niet aan dit risico gekoppeld"


def _text(response):
    return response.get_data(as_text=True)


def _cite(risk, user, **rationales):
    """Set rationales through the service: ``_cite(risk, user, AMB="… [bio-test 9.1]")``."""
    data = risk_values(risk, refdata())
    for code, text in rationales.items():
        data.impacts[code].rationale = text
    update_risk(risk, data, user, expected_version=risk.version)
    db.session.commit()


def _form(risk, **changes):
    """The edit form as the browser sends it, with ``changes`` ("AMB-rationale": …)."""
    data = {}
    for key, value in form_values(risk, refdata()).items():
        if value is None or value is False:
            continue
        data[key] = "y" if value is True else value if isinstance(value, list) else str(value)
    data.update(changes)
    return data


def _risk(make_risk, loaded, users, *refs, kind="existing"):
    risk = make_risk("Uitval GMS", AMB=(4, 3), POL=(3, 2), voorzieningen=["GMS"],
                     meldkamers=["RTD"])
    for ref in refs:
        link_risk(risk, loaded[ref], kind, users["chair"])
    db.session.commit()
    return risk


def test_a_citation_shows_as_a_link_with_the_status_in_the_risks_scopes(client, auth, loaded,
                                                                       make_risk, users):
    risk = _risk(make_risk, loaded, users, "9.1")
    implement(loaded["9.1"], "voorziening:GMS", "deels")
    implement(loaded["9.1"], "voorziening:C2000", "volledig")  # not the risk's scope
    _cite(risk, users["chair"], AMB="Uitwijk getest [bio-test 9.1]; zie [ander stuk 3].")
    auth.login("viewer")
    page = _text(client.get(f"/risks/{risk.code}"))
    link = re.search(r'<span class="cited-control"><a class="text-nowrap" '
                     r'href="/controls/(\d+)"[^>]*>\[bio-test 9\.1\]</a>(.*?)</span>; zie',
                     page, re.S)
    assert link and int(link.group(1)) == loaded["9.1"].id
    statuses = " ".join(re.sub(r"<[^>]+>|&nbsp;", " ", link.group(2)).split())
    # In words, not only in colour: GMS partly, RTD (no record) not at all; C2000 is not in scope.
    assert statuses == "( RTD : niet ; GMS : deels )"
    assert "zie [ander stuk 3]." in page  # no framework of that name: plain text
    assert "niet gekoppeld" not in page


def test_a_citation_of_a_control_not_linked_is_refused_by_the_form_and_the_import_alike(
        client, auth, runner, tmp_path, loaded, make_risk, users):
    risk = _risk(make_risk, loaded, users, "9.1")
    auth.login("amb")
    refused = client.post(f"/risks/{risk.code}/edit",
                          data=_form(risk, **{"AMB-rationale": "Zie [bio-test 9.2]"}))
    assert refused.status_code == 422
    page = _text(refused)
    assert f"Toelichting (AMB): [bio-test 9.2] {REFUSED}" in page  # the summary names the field
    unknown = client.post(f"/risks/{risk.code}/edit",
                          data=_form(risk, **{"AMB-rationale": "Zie [bio-test 9.77]"}))
    assert unknown.status_code == 422
    assert "heeft geen maatregel met die verwijzing" in _text(unknown)
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).impact_for(refdata().disciplines.by_code["AMB"].id) \
        .rationale == ""

    out = BytesIO()
    export_register(out, RegisterFilter(), users["chair"])
    book = openpyxl.load_workbook(BytesIO(out.getvalue()))
    sheet = book["Register"]
    header = {cell.value: cell.column for cell in sheet[1]}
    column = next(name for name in header if name and name.startswith("AMB")
                  and name.lower().endswith("toelichting"))
    sheet.cell(2, header[column]).value = "Zie [bio-test 9.2]"
    path = tmp_path / "register.xlsx"
    book.save(path)
    result = runner.invoke(args=["import-register", str(path)])
    assert "errors=1" in result.output and f"[bio-test 9.2] {REFUSED}" in result.output
    assert column in result.output  # the message names the discipline's rationale column

    # Linked, the same citation is taken by the form and the import.
    link_risk(risk, loaded["9.2"], "planned", users["chair"])
    db.session.commit()
    saved = client.post(f"/risks/{risk.code}/edit",
                        data=_form(risk, **{"AMB-rationale": "Zie [bio-test 9.2]"}))
    assert saved.status_code == 302
    sheet.cell(2, header[column]).value = "Zie [bio-test 9.2] en [bio-test 9.1]"
    sheet.cell(2, header["Versie"]).value = db.session.get(Risk, risk.id).version
    book.save(path)
    result = runner.invoke(args=["import-register", str(path)])
    assert "changed=1" in result.output and "errors=0" in result.output, result.output


def test_an_unchanged_citation_never_blocks_and_a_new_risk_cannot_cite(loaded, make_risk,
                                                                        users):
    risk = _risk(make_risk, loaded, users, "9.1")
    _cite(risk, users["chair"], POL="[BIO-TEST 9.1] houdt het netto laag")  # any case
    unlink_risk(risk, loaded["9.1"], users["chair"])  # the citation stays, as typed
    db.session.commit()
    data = risk_values(risk, refdata())
    data.title = "Uitval GMS door storing"
    assert update_risk(risk, data, users["chair"], expected_version=risk.version)
    data.impacts["POL"].rationale += "."
    with pytest.raises(RiskError) as refused:
        update_risk(risk, data, users["chair"], expected_version=risk.version)
    assert list(refused.value.errors) == ["POL.rationale"]
    assert REFUSED in refused.value.errors["POL.rationale"]
    db.session.rollback()
    new = RiskData(title="Nieuw risico", bruto_likelihood=2, netto_likelihood=2, status="open",
                   impacts={"AMB": ImpactData(applies=True, bruto_impact=3, netto_impact=2,
                                              rationale="zie [bio-test 9.1]")})
    with pytest.raises(RiskError) as refused:
        create_risk(new, users["chair"])  # nothing is linked to a risk not yet made
    assert REFUSED in refused.value.errors["AMB.rationale"]


def test_the_form_offers_the_linked_controls_for_citing(client, auth, loaded, make_risk, users):
    risk = _risk(make_risk, loaded, users, "9.1", "9.3")
    auth.login("amb")
    page = _text(client.get(f"/risks/{risk.code}/edit"))
    offers = re.findall(r'data-cite="([^"]+)" data-target="AMB-rationale"', page)
    assert offers == ["[bio-test 9.1]", "[bio-test 9.3]"]
    assert "<code>[bio-test 9.1]</code> Maatregel 9.1" in page  # to copy without script
    assert 'data-target="POL-rationale"' not in page  # not offered where the member may not write


def test_the_control_page_lists_the_risks_whose_rationale_cites_it(client, auth, loaded, make_risk,
                                                                  users, count_queries):
    first = _risk(make_risk, loaded, users, "9.1")
    _cite(first, users["chair"], AMB="[bio-test 9.1]", POL="ook [bio-test 9.1]")
    auth.login("viewer")
    url = f"/controls/{loaded['9.1'].id}"
    client.get(url)
    with count_queries() as one:
        page = _text(client.get(url))
    section = page.split('id="citing-risks"')[1].split("</ul>")[0]
    assert first.code in section and "toelichting AMB, POL" in section
    for n in range(3):
        risk = _risk(make_risk, loaded, users, "9.1")
        _cite(risk, users["chair"], POL=f"reden {n} [bio-test 9.1]")
    client.get(url)  # after the commits above the reference data is read again, once
    with count_queries() as four:
        page = _text(client.get(url))
    assert page.split('id="citing-risks"')[1].split("</ul>")[0].count("/risks/R-") == 4
    assert len(four) == len(one), "\n\n".join(four)
    other = _text(client.get(f"/controls/{loaded['9.2'].id}"))
    assert 'id="citing-risks"' not in other and "[bio-test 9.2]" in other  # how to cite it


def test_the_risk_page_costs_the_same_queries_with_one_citation_or_many(
        client, auth, loaded, make_risk, users, count_queries):
    refs = ["9.1", "9.2", "9.3", "9.4", "9.5"]
    one = _risk(make_risk, loaded, users, *refs)
    many = _risk(make_risk, loaded, users, *refs)
    for ref in refs:
        implement(loaded[ref], "voorziening:GMS", "deels")
    _cite(one, users["chair"], AMB="[bio-test 9.1]")
    _cite(many, users["chair"], AMB=" ".join(f"[bio-test {r}]" for r in refs),
          POL="[bio-test 9.5] en [bio-test 9.1]")
    auth.login("viewer")
    client.get(f"/risks/{one.code}")  # the reference data is read once
    with count_queries() as first:
        client.get(f"/risks/{one.code}")
    with count_queries() as second:
        page = _text(client.get(f"/risks/{many.code}"))
    assert page.count('class="cited-control"') == 2 * 7  # each shown twice (narrow and wide)
    assert len(second) == len(first)


def test_the_bulk_services_apply_the_same_rule_when_not_told_it_was_checked(loaded, make_risk,
                                                                           users):
    from lms_risk.risks.importer import _current_values
    from lms_risk.risks.services import bulk_create_risks, bulk_update_risks
    risk = _risk(make_risk, loaded, users, "9.1")
    refs = refdata()
    data = risk_values(risk, refs)
    data.impacts["AMB"].rationale = "[bio-test 9.2]"
    current = {**_current_values([risk.code], refs)[risk.code], "code": risk.code}
    with pytest.raises(RiskError) as refused:
        bulk_update_risks([(current, data)], users["chair"])
    assert REFUSED in refused.value.errors["AMB.rationale"]
    data.impacts["AMB"].rationale = "[bio-test 9.1]"  # linked
    assert bulk_update_risks([(current, data)], users["chair"]) == 1
    with pytest.raises(RiskError):
        bulk_create_risks([("R-0900", data)], users["chair"])
