"""Access as data: role assignments with a scope (the whole register, a discipline, a meldkamer)."""

import os

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from conftest import _config, _pg_url
from lms_risk import create_app
from lms_risk.auth.models import RoleAssignment, SystemActor, User
from lms_risk.auth.permissions import has_role, has_role_for_discipline, has_role_for_meldkamer
from lms_risk.auth.services import (
    UserError,
    add_assignment,
    create_user,
    load_user,
    remove_assignment,
)
from lms_risk.extensions import db
from lms_risk.reference.models import Discipline, Meldkamer
from lms_risk.risks.permissions import can_edit_risks, can_score, can_view_history
from lms_risk.timeutil import utcnow

PASSWORD = "een lang geheim wachtwoord"


def ids(model):
    return {code: id_ for id_, code in db.session.execute(sa.select(model.id, model.code))}


# --- The migration -------------------------------------------------------------------------------

@pytest.fixture
def empty_db(backend, request, tmp_path):
    """The URI of an empty database (no schema) on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin, _template = request.getfixturevalue("pg_template")
    name = f"lmsrisk_mig_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migration_turns_each_users_role_into_an_assignment_and_back(empty_db):
    app = create_app(_config(empty_db))
    with app.app_context():
        upgrade(revision="0002_audit_entity")
        disciplines = ids(Discipline)
        old_user = sa.table("user", *(sa.column(c) for c in (
            "email", "name", "password_hash", "role", "discipline_id", "active",
            "must_change_password", "created_at")))
        rows = [("beheer@example.nl", "admin", None), ("pol@example.nl", "member", "POL"),
                ("lezer@example.nl", "viewer", "AMB"), ("inspectie@example.nl", "auditor", None)]
        db.session.execute(old_user.insert(), [
            {"email": email, "name": "", "password_hash": "x", "role": role,
             "discipline_id": disciplines.get(code), "active": True,
             "must_change_password": False, "created_at": utcnow()}
            for email, role, code in rows])
        db.session.commit()

        upgrade()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("user")}
        assert "role" not in columns and "discipline_id" not in columns
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        assert {email: [(a.role, a.scope_code) for a in users[email].assignments]
                for email in users} == {email: [(role, code)] for email, role, code in rows}
        assert users["pol@example.nl"].primary_discipline.code == "POL"
        assert users["lezer@example.nl"].primary_discipline.code == "AMB"  # as before: its default
        assert can_score(users["pol@example.nl"], disciplines["POL"])

        # Down again: the first assignment the old schema knows (continuity it does not); a
        # user without any becomes a viewer.
        both = create_user("bc@example.nl", PASSWORD, "continuity", meldkamer_code="RTD")
        add_assignment(both, "member", discipline_code="KMAR")
        db.session.add(User(email="leeg@example.nl", password_hash="x"))
        db.session.commit()
        db.session.close()
        downgrade(revision="0002_audit_entity")
        back = {email: (role, discipline_id) for email, role, discipline_id in db.session.execute(
            sa.text('SELECT email, role, discipline_id FROM "user"'))}
        assert back == {**{email: (role, disciplines.get(code)) for email, role, code in rows},
                        "bc@example.nl": ("member", disciplines["KMAR"]),
                        "leeg@example.nl": ("viewer", None)}
        assert "role_assignment" not in sa.inspect(db.engine).get_table_names()
        db.session.close()
        upgrade()  # and up once more
        assert db.session.scalar(sa.select(sa.func.count(RoleAssignment.id))) == len(rows) + 2
        db.session.remove()
        db.engine.dispose()


# --- Roles and scopes ----------------------------------------------------------------------------

def test_one_person_two_roles(users):
    person = users["pol_rtd"]
    assert [(a.role, a.scope_code) for a in person.assignments] == [("member", "POL"),
                                                                    ("continuity", "RTD")]
    meldkamers, disciplines = ids(Meldkamer), ids(Discipline)
    assert person.has_role("member") and person.has_role("continuity")
    assert not person.has_role("chair", "admin")
    assert [d.code for d in person.disciplines_for("member")] == ["POL"]
    assert [m.code for m in person.meldkamers_for("continuity")] == ["RTD"]
    assert person.primary_discipline.code == "POL"
    assert has_role_for_meldkamer(person, "continuity", meldkamers["RTD"])
    assert not has_role_for_meldkamer(person, "continuity", meldkamers["AMS"])
    assert not has_role_for_discipline(person, "continuity", disciplines["POL"])
    assert person.role_summary == "lid van de risicoraad, POL; continuïteitscoördinator, RTD"
    assert can_edit_risks(person) and can_view_history(person)


def test_can_score_per_role_and_scope(users):
    disciplines = ids(Discipline)
    expected = {"admin": set(disciplines), "chair": set(disciplines), "amb": {"AMB"},
                "pol": {"POL"}, "pol_rtd": {"POL"}, "viewer": set(), "auditor": set(), "rtd": set()}
    for key, codes in expected.items():
        assert {c for c, d in disciplines.items() if can_score(users[key], d)} == codes, key
    assert all(can_score(SystemActor(), d) for d in disciplines.values())
    # A member of two disciplines scores both.
    add_assignment(users["amb"], "member", discipline_code="BRW")
    assert {c for c, d in disciplines.items() if can_score(users["amb"], d)} == {"AMB", "BRW"}
    assert users["amb"].primary_discipline.code == "AMB"  # the first stays the default


def test_register_wide_roles_cover_every_scope(users):
    chair, rtd = users["chair"], users["rtd"]
    assert has_role_for_discipline(chair, "chair", ids(Discipline)["KMAR"])
    assert has_role_for_meldkamer(chair, "chair", ids(Meldkamer)["LIM"])
    assert chair.primary_discipline is None
    assert not can_edit_risks(rtd) and not can_view_history(rtd)  # continuity grants nothing yet


def test_anonymous_and_system_actor():
    from flask_login import AnonymousUserMixin

    anonymous = AnonymousUserMixin()
    assert not has_role(anonymous, "admin", "viewer")
    assert not has_role_for_discipline(anonymous, "member", 1)
    actor = SystemActor()
    assert has_role(actor, "admin") and actor.roles == {"admin"}
    assert actor.primary_discipline is None and actor.role_summary == "beheerder"


@pytest.mark.parametrize("role, given, message", [
    ("member", {}, "give --discipline"),
    ("member", {"meldkamer_code": "RTD"}, "give --discipline"),
    ("continuity", {}, "give --meldkamer"),
    ("continuity", {"discipline_code": "POL"}, "give --meldkamer"),
    ("admin", {"discipline_code": "POL"}, "role admin is for the whole register, not for one discipline"),
    ("chair", {"meldkamer_code": "RTD"}, "not for one meldkamer"),
    ("auditor", {"discipline_code": "POL"}, "not for one discipline"),
    ("viewer", {"meldkamer_code": "RTD"}, "whole register or one discipline"),
    ("member", {"discipline_code": "POL", "meldkamer_code": "RTD"}, "not both"),
    ("member", {"discipline_code": "XXX"}, "unknown discipline"),
    ("continuity", {"meldkamer_code": "XXX"}, "unknown meldkamer"),
    ("boss", {}, "unknown role"),
])
def test_scopes_are_checked(app, role, given, message):
    with pytest.raises(UserError, match=message):
        create_user("nieuw@example.nl", PASSWORD, role, **given)


def test_allowed_scopes(app, users):
    viewer = create_user("lezer.pol@example.nl", PASSWORD, "viewer", discipline_code="pol")
    assert viewer.primary_discipline.code == "POL" and not can_score(viewer, ids(Discipline)["POL"])
    rtd = create_user("bc@example.nl", PASSWORD, "continuity", meldkamer_code="rtd")
    assert rtd.role_summary == "continuïteitscoördinator, RTD"
    with pytest.raises(UserError, match="holds this role already"):
        add_assignment(users["pol_rtd"], "continuity", meldkamer_code="RTD")
    add_assignment(users["pol_rtd"], "continuity", meldkamer_code="DH")  # another meldkamer is fine


@pytest.mark.parametrize("given", [{}, {"discipline_id": "AMB"}, {"meldkamer_id": "RTD"}])
def test_the_database_refuses_a_role_twice_in_one_scope(users, given):
    """NULL scopes (the whole register) count as equal in the unique index, on both backends."""
    refs = {"discipline_id": ids(Discipline), "meldkamer_id": ids(Meldkamer)}
    values = {k: refs[k][v] for k, v in given.items()}
    user_id = users["viewer"].id
    row = {"user_id": user_id, "role": "auditor", "created_at": utcnow(), **values}
    db.session.execute(sa.insert(RoleAssignment), [row])
    with pytest.raises(IntegrityError):
        db.session.execute(sa.insert(RoleAssignment), [row])
    db.session.rollback()


def test_the_database_refuses_two_scopes_in_one_assignment(users):
    with pytest.raises(IntegrityError):
        db.session.execute(sa.insert(RoleAssignment), [{
            "user_id": users["viewer"].id, "role": "viewer", "created_at": utcnow(),
            "discipline_id": ids(Discipline)["AMB"], "meldkamer_id": ids(Meldkamer)["RTD"]}])
    db.session.rollback()


def test_assignments_are_audited_readably(client, auth, users):
    add_assignment(users["amb"], "continuity", meldkamer_code="RTD", actor=users["admin"])
    remove_assignment(users["pol_rtd"], "continuity", meldkamer_code="RTD", actor=users["admin"])
    db.session.commit()
    assert [(a.role, a.scope_code) for a in users["pol_rtd"].assignments] == [("member", "POL")]
    with pytest.raises(UserError, match="without a role"):
        remove_assignment(users["pol_rtd"], "member", discipline_code="POL")
    with pytest.raises(UserError, match="does not hold"):
        remove_assignment(users["amb"], "member", discipline_code="POL")

    auth.login("auditor")
    page = client.get("/audit?entity_type=user").get_data(as_text=True)
    assert "rol toegekend" in page and "rol ingetrokken" in page
    assert "→ continuïteitscoördinator</li>" in page
    assert '<span class="fw-semibold">meldkamer</span>: RTD → <span class="text-muted">–</span>' in page
    assert "gebruiker amb@example.nl" in page
    client.post("/language", data={"lang": "en", "next": "/audit"})
    page = client.get("/audit?entity_type=user").get_data(as_text=True)
    assert "continuity coordinator" in page and "role assigned" in page


def test_deleting_a_user_deletes_their_assignments(users):
    user_id = users["pol_rtd"].id
    db.session.delete(users["pol_rtd"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(RoleAssignment.id))
                             .where(RoleAssignment.user_id == user_id)) == 0


# --- Pages ---------------------------------------------------------------------------------------

def test_navbar_and_user_list_show_roles_and_scopes(client, auth):
    auth.login("pol_rtd")
    page = client.get("/risks").get_data(as_text=True)
    assert ('(lid van de risicoraad, <abbr title="Politie">POL</abbr>; continuïteitscoördinator, '
            '<abbr title="Rotterdam">RTD</abbr>)') in page
    assert 'value="POL" selected' in page  # the register opens on the member's discipline
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "meldkamer Rotterdam (RTD)" in page and "discipline Politie (POL)" in page
    assert "het hele register" in page
    client.post("/language", data={"lang": "en", "next": "/risks"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "dispatch centre Rotterdam (RTD)" in page and "the whole register" in page
    assert "(administrator)" in page


def test_loading_the_signed_in_user_is_one_query(app, users, count_queries):
    user_id = users["pol_rtd"].id
    db.session.expunge_all()
    pol = ids(Discipline)["POL"]
    with count_queries() as queries:
        user = load_user(user_id)
        assert user.role_summary and user.primary_discipline.code == "POL"
        assert can_score(user, pol) and user.has_role("continuity")
    assert len(queries) == 1, queries


def test_page_queries_do_not_grow_with_assignments(client, auth, users, make_risk, count_queries):
    code = make_risk(AMB=(4, 3)).code
    person_id = users["amb"].id
    auth.login("amb")

    def count(url):
        db.session.remove()  # as in production: a new session for every request
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = [count(url) for url in ("/risks", f"/risks/{code}", f"/risks/{code}/edit")]
    person = db.session.get(User, person_id)
    for role, scope in (("member", {"discipline_code": "POL"}), ("member", {"discipline_code": "BRW"}),
                        ("continuity", {"meldkamer_code": "RTD"}),
                        ("continuity", {"meldkamer_code": "AMS"}), ("viewer", {})):
        add_assignment(person, role, **scope)
    db.session.commit()
    after = [count(url) for url in ("/risks", f"/risks/{code}", f"/risks/{code}/edit")]
    assert after[:2] == before[:2]
    # The form loads each impact's discipline lazily; those already loaded with the user's
    # assignments come from the identity map, so here it can only be fewer.
    assert after[2] <= before[2]
