"""Benchmark of the register at scale.

Seeds N risks (default 10,000) into a fresh database made by the migrations, then prints the
median server time of: the register's first page, a deep page (filtered by one discipline and
sorted by its priority, about half-way down), and a heatmap; and, as each one's floor, the bare
SQL that the request ran, replayed straight on the DBAPI cursor (no ORM, no templates).

    .venv/bin/python bench/register.py                      # SQLite
    .venv/bin/python bench/register.py --postgres           # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/register.py --risks 2000 --repeat 10
"""

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import has_app_context  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402

from lms_risk import create_app  # noqa: E402
from lms_risk.extensions import db  # noqa: E402

PG_ADMIN = os.environ.get("LMS_RISK_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def bench_app(uri: str, **config):
    """The app as the benchmarks serve it: the test client without CSRF tokens, no log line per
    request (its formatting would be timed too), ``config`` on top."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, **config})
    logging.getLogger("lms_risk").setLevel(logging.WARNING)
    return app


def bench_database(postgres: bool, name: str, keep: str | None = None):
    """The database a benchmark runs on, as (URI, cleanup): a PostgreSQL database ``name`` made
    anew (cleanup drops it unless ``keep``), or an SQLite file in a temporary folder (at ``keep``
    if given, and then left in place)."""
    if not postgres:
        tmp = tempfile.TemporaryDirectory()
        return f"sqlite:///{keep or tmp.name + '/bench.sqlite'}", tmp.cleanup
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup() -> None:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", cleanup


def seed(n: int) -> None:
    """Bulk-insert ``n`` risks; derived priorities and levels come from the scoring rules."""
    from lms_risk.auth.services import create_user
    from lms_risk.reference.models import Discipline, Meldkamer, Voorziening
    from lms_risk.risks.models import DisciplineImpact, Risk, risk_meldkamer, risk_voorziening
    from lms_risk.matrix.services import load_grid
    from lms_risk.risks.scoring import level_for, priority, register_impact

    create_user("bench@example.nl", "bench-wachtwoord-123", "viewer")
    db.session.commit()
    rnd = random.Random(42)
    grid = load_grid()
    disciplines = list(db.session.scalars(select(Discipline.id)))
    meldkamers = list(db.session.scalars(select(Meldkamer.id)))
    voorzieningen = list(db.session.scalars(select(Voorziening.id)))
    words = ("Uitval", "Storing", "Verstoring", "Tekort", "Lek", "Aanval", "Vertraging")
    things = ("GMS", "C2000", "112-telefonie", "P2000", "NL-Alert", "GEO", "netwerk", "stroom")
    owners = [f"Eigenaar {i}" for i in range(40)]
    statuses = ("concept", "open", "in_behandeling", "geaccepteerd", "gesloten")
    batch = 1000
    for start in range(0, n, batch):
        risks, impacts, links_m, links_v = [], [], [], []
        for i in range(start, min(n, start + batch)):
            rid = i + 1
            bl = rnd.randint(1, 5)
            nl = rnd.randint(1, bl)
            per = {}
            for d in disciplines:
                if rnd.random() < 0.6:
                    bi = rnd.randint(1, 5)
                    per[d] = (bi, rnd.randint(1, bi))
            row = {"id": rid, "code": f"R-{rid:05d}", "version": 1,
                   "title": f"{rnd.choice(words)} {rnd.choice(things)} {rid}",
                   "description": "", "cause": "", "consequence": "",
                   "owner": rnd.choice(owners), "status": rnd.choice(statuses),
                   "bruto_likelihood": bl, "netto_likelihood": nl}
            for basis, lik, idx in (("bruto", bl, 0), ("netto", nl, 1)):
                worst = register_impact(v[idx] for v in per.values())
                row[f"{basis}_impact"] = worst
                row[f"{basis}_priority"] = priority(lik, worst)
                row[f"{basis}_level_id"] = level_for(grid, lik, worst)
            risks.append(row)
            for d in disciplines:
                bi, ni = per.get(d, (None, None))
                impacts.append({
                    "risk_id": rid, "discipline_id": d, "applies": d in per, "rationale": "",
                    "bruto_impact": bi, "netto_impact": ni,
                    "bruto_priority": priority(bl, bi), "netto_priority": priority(nl, ni),
                    "bruto_level_id": level_for(grid, bl, bi),
                    "netto_level_id": level_for(grid, nl, ni)})
            links_m.append({"risk_id": rid, "meldkamer_id": rnd.choice(meldkamers)})
            links_v.append({"risk_id": rid, "voorziening_id": rnd.choice(voorzieningen)})
        db.session.execute(insert(Risk.__table__), risks)
        db.session.execute(insert(DisciplineImpact.__table__), impacts)
        db.session.execute(insert(risk_meldkamer), links_m)
        db.session.execute(insert(risk_voorziening), links_v)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('risk', 'id'), :n)"), {"n": n})
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def deep_cursor() -> str:
    """The cursor that starts a page half-way down POL's register sorted by POL's priority."""
    from lms_risk.risks.register import RegisterFilter, count_risks, encode_cursor, ordered_select

    flt = RegisterFilter(discipline="POL", sort="priority")
    stmt, keys = ordered_select(flt)
    values = db.session.execute(stmt.with_only_columns(*[k.column for k in keys])
                                .offset(count_risks(flt) // 2).limit(1)).one()
    return encode_cursor(values)


def _served_alone() -> None:
    """Requests are timed as a server runs them: each in its own app context, so with an empty
    ``g`` and a session of its own. Inside an app context held open around them, the test client
    would share that context's ``g`` and session between requests (objects loaded by one request
    expire at its commit and are loaded again by the next, one query each), and the figures
    would not be a served request's."""
    if has_app_context():
        raise RuntimeError("time requests outside any app context (see _served_alone)")


def cpu_ms(client, url: str, repeat: int) -> float:
    """Median CPU time of the request in this process (ms): on SQLite it includes the database's
    work, on PostgreSQL only the app's. It follows a shared machine's load much less than the
    wall time does."""
    _served_alone()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        client.get(url)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    """(median ms of the request, median ms of its SQL replayed raw, number of SQL statements).
    The statements are those of the last timed request."""
    _served_alone()
    with client.application.app_context():
        engine = db.engine
    captured = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    server = []
    for n in range(repeat):
        if n == repeat - 1:
            event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        client.get(url)
        server.append((time.perf_counter() - start) * 1000)
    event.remove(engine, "before_cursor_execute", listener)
    raw = engine.raw_connection()
    floor = []
    try:
        for _ in range(repeat):
            cursor = raw.cursor()
            start = time.perf_counter()
            for statement, parameters in captured:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            floor.append((time.perf_counter() - start) * 1000)
            cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return statistics.median(server), statistics.median(floor), len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    uri, cleanup = bench_database(args.postgres, "lmsrisk_bench")
    app = bench_app(uri)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        seed(args.risks)
        print(f"database: {db.engine.dialect.name}; seeded {args.risks} risks in "
              f"{time.perf_counter() - start:.1f} s")
        cursor = deep_cursor()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.nl", "password": "bench-wachtwoord-123"})
    pages = {
        "register, first page": "/risks?discipline=all",
        "register POL by priority, first page": "/risks?discipline=POL&sort=priority",
        "register POL by priority, deep page": f"/risks?discipline=POL&sort=priority&after={cursor}",
        "heatmap register-wide": "/heatmap?discipline=all",
        "heatmap POL bruto": "/heatmap?discipline=POL&basis=bruto",
    }
    print(f"{'page':<40} {'server ms':>10} {'SQL floor ms':>13} {'ratio':>6} {'queries':>8}")
    for name, url in pages.items():
        server, floor, queries = measure(client, url, args.repeat)
        print(f"{name:<40} {server:>10.2f} {floor:>13.2f} {server / floor:>6.2f} {queries:>8}")
    with app.app_context():
        db.engine.dispose()
    cleanup()


if __name__ == "__main__":
    main()
