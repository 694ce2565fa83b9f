"""Plans, exercises and BIAs created at the same moment get different codes (each series has its
counter row, taken atomically), on SQLite and PostgreSQL; a new code reads no other codes."""

import threading
from datetime import date

from continuity_fixtures import make_plan  # noqa: F401

from lms_risk.auth.models import User
from lms_risk.bia.fields import BiaData
from lms_risk.bia.models import Bia
from lms_risk.bia.services import create_bia
from lms_risk.continuity.fields import ExerciseData, PlanData
from lms_risk.continuity.models import Exercise, Plan
from lms_risk.continuity.services import create_plan, record_exercise
from lms_risk.extensions import db

N = 6


def _at_once(app, user_id, create):
    """``N`` threads, each in its own app context (its own session and connection), create at
    once and commit; what each ended in."""
    barrier = threading.Barrier(N)
    results = [None] * N

    def run(i):
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait(timeout=60)
            try:
                create(i, user)
                db.session.commit()
                results[i] = "ok"
            except Exception as error:
                db.session.rollback()
                results[i] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_plans_and_exercises_created_at_once_get_different_codes(app, users, make_plan):
    plan = make_plan("Uitwijk GMS")
    plan_id, chair = plan.id, users["chair"].id
    results = _at_once(app, chair, lambda i, user: create_plan(
        PlanData(title=f"Gelijktijdig {i}", meldkamer="RTD", status="concept", steps=[]), user))
    assert results == ["ok"] * N, results
    results = _at_once(app, chair, lambda i, user: record_exercise(
        db.session.get(Plan, plan_id),
        ExerciseData(held_on=date(2026, 12, 1), kind="tabletop", findings=[]), user))
    assert results == ["ok"] * N, results
    db.session.expire_all()
    assert sorted(db.session.scalars(db.select(Plan.code))) == [
        f"CP-{n:03d}" for n in range(1, N + 2)]
    assert sorted(db.session.scalars(db.select(Exercise.code))) == [
        f"OEF-{n:04d}" for n in range(1, N + 1)]


def test_bias_created_at_once_get_different_codes(app, users):
    results = _at_once(app, users["admin"].id, lambda i, user: create_bia(
        BiaData(subject=f"Proces {i}", owner="Eigenaar", meldkamers=["RTD"]), user))
    assert results == ["ok"] * N, results
    db.session.expire_all()
    assert sorted(db.session.scalars(db.select(Bia.code))) == [
        f"BIA-{n:03d}" for n in range(1, N + 1)]


def test_a_new_plan_code_does_not_read_every_code(app, users, make_plan, count_queries):
    make_plan("Eerste")
    with count_queries() as queries:
        second = make_plan("Tweede")
    assert second.code == "CP-002"
    assert not any("SELECT continuity_plan.code" in q for q in queries), queries
