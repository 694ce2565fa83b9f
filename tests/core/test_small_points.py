"""The smaller points users tripped over: the forced password page says why, a favicon, demo
accounts for every discipline with history dated after each risk's creation, and the export's file
name."""

from datetime import timedelta

from lms_risk.extensions import db


def test_forced_password_page_says_why(app, client):
    from lms_risk.auth.services import create_user

    create_user("new@example.nl", "eenmalig-wachtwoord-123", "viewer", must_change_password=True)
    db.session.commit()
    response = client.post("/login", data={"email": "new@example.nl",
                                           "password": "eenmalig-wachtwoord-123"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="why-change"' in page and "eenmalig wachtwoord" in page
    short = client.post("/account/password", data={
        "current": "eenmalig-wachtwoord-123", "new": "kort", "repeat": "kort"}).get_data(as_text=True)
    assert short.count("Minstens 12 tekens.") == 2  # the rule and the error say it the same way


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_demo_has_every_discipline_and_history_after_creation(app, runner):
    from lms_risk.auth.models import User
    from lms_risk.reference.models import Discipline
    from lms_risk.risks.models import ScoreChange

    for user in db.session.scalars(db.select(User)):
        db.session.delete(user)
    db.session.commit()
    assert runner.invoke(args=["demo-data", "--if-empty"]).exit_code == 0
    members = {a.discipline.code for u in db.session.scalars(db.select(User))
               for a in u.assignments if a.role == "member"}
    assert members == set(db.session.scalars(db.select(Discipline.code)))
    changes = db.session.scalars(db.select(ScoreChange)).all()
    assert changes
    for change in changes:
        created = change.risk.created_at
        at = change.changed_at
        if created.tzinfo is None or at.tzinfo is None:
            created, at = created.replace(tzinfo=None), at.replace(tzinfo=None)
        assert at > created + timedelta(days=1), change.risk.code


def test_export_file_name_names_its_filter(client, auth, make_risk):
    from datetime import date

    from lms_risk.exchange.views import export_filename
    from lms_risk.risks.register import RegisterFilter

    make_risk("Uitval GMS", POL=(3, 3))
    auth.login("pol")
    disposition = client.get("/risks/export.xlsx").headers["Content-Disposition"]
    assert f"risicoregister-POL-{date.today():%Y-%m-%d}.xlsx" in disposition
    day = date(2026, 11, 23)
    assert export_filename(RegisterFilter(discipline="POL"), day) == \
        "risicoregister-POL-2026-11-23.xlsx"
    assert export_filename(RegisterFilter(), day) == "risicoregister-alle-2026-11-23.xlsx"
    assert export_filename(RegisterFilter(discipline="AMB", status="gesloten", review="overdue"),
                           day) == "risicoregister-AMB-gesloten-review-verlopen-2026-11-23.xlsx"
