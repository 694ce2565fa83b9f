"""A feature plugs in by declaring itself: a throwaway feature, given only to a test app, shows
its menu entry, route, command, audit label, workbook sheet and risk panel with no other edit."""

import shutil
from io import BytesIO

import click
import openpyxl
import pytest
from flask import Blueprint

from conftest import FreshGClient, PASSWORD, TEST_USERS, _config
from lms_risk import create_app
from lms_risk.audit.services import record
from lms_risk.auth.models import User
from lms_risk.core.features import EntityType, Feature, MenuEntry, RiskPanel
from lms_risk.core.uow import transactional_command
from lms_risk.excel.workbook import SheetSpec
from lms_risk.extensions import db
from lms_risk.risks.fields import ImpactData, RiskData
from lms_risk.risks.services import create_risk


class NotesSheet(SheetSpec):
    key = "notes"
    order = 70

    def open(self, book, context):
        return book.sheet("Notities")

    def fill(self, handle, context):
        handle.write(["Notitie bij de export", context.get("risks", 0)])


@pytest.fixture
def throwaway(tmp_path):
    folder = tmp_path / "templates" / "throwaway"
    folder.mkdir(parents=True)
    (folder / "panel.html").write_text("<p class='throwaway-panel'>Wegwerp bij {{ risk.code }}: "
                                       "{{ ctx.note }}</p>")
    bp = Blueprint("throwaway", __name__, template_folder=str(tmp_path / "templates"))

    @bp.get("/throwaway")
    def page():
        return "wegwerppagina"

    @click.command("throwaway-hello")
    @transactional_command
    def hello():
        record("create", "throwaway", "T-1", None, summary="door de opdrachtregel")
        click.echo("hallo van de wegwerpfunctie")

    return Feature(
        name="throwaway", blueprint=bp, commands=[hello],
        menu=[MenuEntry("throwaway.page", "Wegwerpmenu", order=50)],
        entities=[EntityType("throwaway", "wegwerpobject")],
        sheets=[NotesSheet()],
        risk_panels=[RiskPanel("throwaway", "Wegwerppaneel", "throwaway/panel.html",
                               context=lambda risk, user: {"note": "ingeplugd"})],
    )


@pytest.fixture
def plugged(sqlite_template, tmp_path, throwaway):
    path = tmp_path / "plugged.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = create_app({**_config(f"sqlite:///{path}"), "EXTRA_FEATURES": [throwaway]})
    app.test_client_class = FreshGClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_throwaway_feature_appears_everywhere_it_declares(plugged, make_risk_in):
    client = plugged.test_client()
    client.post("/login", data={"email": TEST_USERS["admin"][0], "password": PASSWORD})
    risk = make_risk_in(plugged)

    register = client.get("/risks").get_data(as_text=True)
    assert 'href="/throwaway">Wegwerpmenu</a>' in register
    assert client.get("/throwaway").get_data(as_text=True) == "wegwerppagina"

    result = plugged.test_cli_runner().invoke(args=["throwaway-hello"])
    assert result.exit_code == 0 and "hallo van de wegwerpfunctie" in result.output
    audit = client.get("/audit?entity_type=throwaway").get_data(as_text=True)
    assert "wegwerpobject" in audit and "T-1" in audit

    page = client.get(f"/risks/{risk}").get_data(as_text=True)
    assert "Wegwerppaneel" in page and f"Wegwerp bij {risk}: ingeplugd" in page

    book = openpyxl.load_workbook(BytesIO(client.get("/risks/export.xlsx?discipline=all").data))
    assert "Notities" in book.sheetnames
    assert [c.value for c in book["Notities"][1]] == ["Notitie bij de export", 1]
    assert book.sheetnames.index("Notities") > book.sheetnames.index("Register")


def test_without_the_feature_none_of_it_exists(client, auth):
    auth.login("admin")
    assert "Wegwerpmenu" not in client.get("/risks").get_data(as_text=True)
    assert client.get("/throwaway").status_code == 404


@pytest.fixture
def make_risk_in():
    def make(app):
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        risk = create_risk(RiskData(title="Uitval GMS", bruto_likelihood=3, netto_likelihood=3,
                                    status="open", impacts={"AMB": ImpactData(True, 4, 3)}), chair)
        db.session.commit()
        return risk.code

    return make
