"""The lms-risk command line."""

from lms_risk.auth.models import User
from lms_risk.extensions import db


def test_user_create_reads_password_from_stdin_and_list_shows_it(runner):
    result = runner.invoke(args=["user", "create", "Nieuw@Example.nl", "--role", "member",
                                 "--discipline", "kmar"], input="een lang geheim wachtwoord\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email="nieuw@example.nl"))
    assert [(a.role, a.scope_code) for a in user.assignments] == [("member", "KMAR")]
    assert "een lang geheim" not in user.password_hash
    listing = runner.invoke(args=["user", "list"]).output
    assert "nieuw@example.nl\tmember\tKMAR\tactive" in listing


def test_user_create_with_a_meldkamer_and_more_roles(runner):
    result = runner.invoke(args=["user", "create", "bc@example.nl", "--role", "continuity",
                                 "--meldkamer", "rtd", "--name", "B. Coördinator"],
                           input="een lang geheim wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert result.output == "user bc@example.nl created with role continuity\n"
    result = runner.invoke(args=["user", "assign", "bc@example.nl", "--role", "member",
                                 "--discipline", "POL"])
    assert result.exit_code == 0 and "now has role member (POL)" in result.output
    result = runner.invoke(args=["user", "assign", "BC@example.nl", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["user", "list"]).output
    assert "bc@example.nl\tcontinuity,member,viewer\tRTD,POL,-\tactive" in listing
    assert "admin@example.nl\tadmin\t-\tactive" in listing
    assert "pol.rtd@example.nl\tmember,continuity\tPOL,RTD\tactive" in listing

    result = runner.invoke(args=["user", "unassign", "bc@example.nl", "--role", "viewer"])
    assert result.exit_code == 0 and "no longer has role viewer" in result.output
    user = db.session.scalar(db.select(User).filter_by(email="bc@example.nl"))
    assert [(a.role, a.scope_code) for a in user.assignments] == [("continuity", "RTD"),
                                                                  ("member", "POL")]
    from lms_risk.audit.models import AuditEvent
    events = db.session.scalars(db.select(AuditEvent).filter_by(entity_id="bc@example.nl")
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.changes) for e in events] == [
        ("create", {"role": [None, "continuity"], "meldkamer": [None, "RTD"]}),
        ("assign", {"role": [None, "member"], "discipline": [None, "POL"]}),
        ("assign", {"role": [None, "viewer"]}),
        ("unassign", {"role": ["viewer", None]}),
    ]


def test_user_assign_refuses_bad_input(runner):
    for args, message in (
        (["assign", "nobody@example.nl", "--role", "viewer"], "no user nobody@example.nl"),
        (["assign", "amb@example.nl", "--role", "member", "--discipline", "AMB"], "holds this role already"),
        (["assign", "amb@example.nl", "--role", "continuity"], "give --meldkamer"),
        (["assign", "amb@example.nl", "--role", "chair", "--meldkamer", "RTD"], "not for one meldkamer"),
        (["assign", "amb@example.nl", "--role", "member", "--discipline", "POL", "--meldkamer", "RTD"],
         "not both"),
        (["unassign", "amb@example.nl", "--role", "member", "--discipline", "AMB"], "without a role"),
        (["unassign", "amb@example.nl", "--role", "viewer"], "does not hold role=viewer"),
        (["create", "c@example.nl", "--role", "continuity"], "give --meldkamer"),
    ):
        result = runner.invoke(args=["user", *args], input="een lang geheim wachtwoord\n")
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert runner.invoke(args=["user", "list"]).output.count("\n") == 8


def test_user_create_refuses_bad_input(runner):
    result = runner.invoke(args=["user", "create", "x@example.nl", "--role", "member"],
                           input="een lang geheim wachtwoord\n")
    assert result.exit_code != 0 and "discipline" in result.output
    result = runner.invoke(args=["user", "create", "y@example.nl", "--role", "viewer"], input="kort\n")
    assert result.exit_code != 0 and "12 characters" in result.output
    result = runner.invoke(args=["user", "create", "z@example.nl", "--role", "god"], input="x" * 20)
    assert result.exit_code != 0
    assert db.session.scalar(db.select(User).filter(User.email.in_(["x@example.nl", "y@example.nl"]))) is None


def test_password_is_never_an_argument(runner):
    result = runner.invoke(args=["user", "create", "a@example.nl", "--role", "viewer",
                                 "--password", "een lang geheim wachtwoord"])
    assert result.exit_code != 0 and "No such option" in result.output


def test_demo_data_refuses_a_database_in_use(runner):
    result = runner.invoke(args=["demo-data"])  # the test database holds users
    assert result.exit_code != 0
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0 and "no demo data loaded" in result.output


def test_demo_data_loads_a_consistent_register(app, runner):
    from lms_risk.risks.models import Risk, ScoreChange

    for user in db.session.scalars(db.select(User)):
        db.session.delete(user)  # with their role assignments (SQLite enforces no foreign keys)
    db.session.commit()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "one-time password" in result.output
    risks = db.session.scalars(db.select(Risk)).all()
    assert len(risks) >= 40
    assert {m.code for r in risks for m in r.meldkamers} >= {"NN", "ON", "MN", "NH", "AMS", "DH",
                                                            "RTD", "ZWB", "OB", "LIM"}
    # every history entry ends at the risk's current value
    for change in db.session.scalars(db.select(ScoreChange)):
        risk = change.risk
        if change.discipline_id is None:
            current = getattr(risk, change.field)
        else:
            current = getattr(risk.impact_for(change.discipline_id), change.field)
        later = [c for c in risk.score_changes if c.field == change.field
                 and c.discipline_id == change.discipline_id and c.changed_at > change.changed_at]
        if not later:
            assert change.new_value == str(current), (risk.code, change.field)
    accounts = db.session.scalars(db.select(User)).all()
    assert all(u.must_change_password for u in accounts)
    roles = {u.email: [(a.role, a.scope_code) for a in u.assignments] for u in accounts}
    assert roles["admin@lms-risk.local"] == [("admin", None)]
    assert roles["rotterdam@lms-risk.local"] == [("member", "POL"), ("continuity", "RTD")]
    assert "rotterdam@lms-risk.local         member POL, continuity RTD" in result.output
