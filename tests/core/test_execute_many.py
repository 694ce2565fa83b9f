"""``execute_many``: the import's many-row writes give exactly what SQLAlchemy's own executemany
gives (timestamps, JSON documents, shared values), on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update

from lms_risk.audit.models import AuditEvent
from lms_risk.core.rows import execute_many
from lms_risk.extensions import db
from lms_risk.risks.models import Risk


def _audit_rows(at, prefix):
    return [{"at": at if i % 2 else at + timedelta(seconds=i), "user_id": None,
             "action": "update", "entity_type": "risk", "entity_id": f"{prefix}-{i}",
             "summary": "import x.xlsx", "entity_version": i,
             "changes": {"title": [f"oud {i}", f"nieuw ‘{i}’ \"quote\""], "AMB.applies": [True, None]}
             if i % 3 else None}
            for i in range(1, 40)]


def _read(prefix):
    rows = db.session.execute(
        select(AuditEvent.at, AuditEvent.entity_id, AuditEvent.summary, AuditEvent.changes,
               AuditEvent.entity_version).where(AuditEvent.entity_id.like(f"{prefix}-%"))
        .order_by(AuditEvent.entity_version)).all()
    return [(at.replace(tzinfo=at.tzinfo or UTC), entity.split("-", 1)[1], summary, changes,
             version) for at, entity, summary, changes, version in rows]


def test_inserts_read_back_as_sqlalchemys_own(app):
    at = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    conn = db.session.connection()
    conn.execute(insert(AuditEvent.__table__), _audit_rows(at, "usual"))
    assert execute_many(conn, insert(AuditEvent.__table__), _audit_rows(at, "many")) in (-1, 39)
    db.session.commit()
    usual, many = _read("usual"), _read("many")
    assert len(many) == 39
    assert many == usual
    assert many[2][3] is None and many[1][3]["title"][1] == 'nieuw ‘2’ "quote"'


def test_update_counts_the_rows_it_matched(app, make_risk):
    risks = [make_risk(title=f"Risico {i}") for i in range(3)]
    db.session.commit()
    table = Risk.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"),
                                     table.c.version == bindparam("b_version"))
                 .values(title=bindparam("title"), version=bindparam("version")))
    rows = [{"b_id": r.id, "b_version": r.version, "title": f"{r.title} (herzien)",
             "version": r.version + 1} for r in risks]
    rows[2]["b_version"] += 5  # saved meanwhile: not matched
    conn = db.session.connection()
    assert execute_many(conn, statement, rows) == 2
    db.session.commit()
    titles = sorted(db.session.scalars(select(Risk.title).where(Risk.id.in_([r.id for r in risks]))))
    assert titles == ["Risico 0 (herzien)", "Risico 1 (herzien)", "Risico 2"]


def test_nothing_to_write_is_no_statement(app, count_queries):
    with count_queries() as queries:
        assert execute_many(db.session.connection(), delete(AuditEvent.__table__), []) == 0
    assert len(queries) == 0
