"""Benchmark of continuity at scale.

Seeds 10,000 risks (as ``bench/register.py`` does), 300 BIAs of 3 versions each with a full grid
(8 categories × 6 windows) and a dependency or two, 1,000 continuity plans (3 recovery steps
each, fallback pairs, a BIA), 5,000 exercises, links from plans to 2,000 risks and from the BIAs
to 3,000 risks; then prints the median server time, the request's CPU time in this process
(comparable on a shared machine), the bare SQL floor (the request's statements replayed straight
on the DBAPI cursor), their ratio and the query count of: the continuity overview, the takeover
matrix, a BIA's page and a risk's page with its linked plans and BIAs. The first row, the account
page, reads no continuity data: it is the fixed cost of any signed-in request (session, reference
data, layout), which bounds the ratio of a page whose own SQL takes a millisecond or less. The
pages are read by an admin (who also gets every form: the heaviest version of each page;
``--role viewer`` reads them as a viewer). It then doubles the plans, exercises and both kinds
of links and prints the query counts again: they must not grow.

    .venv/bin/python bench/continuity.py                      # SQLite
    .venv/bin/python bench/continuity.py --postgres           # PostgreSQL on 127.0.0.1
"""

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from register import bench_app, bench_database, cpu_ms, measure, seed  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from lms_risk.extensions import db  # noqa: E402


def seed_bias(n: int, rnd) -> list[int]:
    from lms_risk.bia.models import (
        Bia,
        BiaDependency,
        BiaImpactCategory,
        BiaScore,
        BiaTimeWindow,
        BiaVersion,
        bia_meldkamer,
    )
    from lms_risk.reference.models import Meldkamer, Voorziening

    categories = list(db.session.scalars(select(BiaImpactCategory.id)))
    windows = list(db.session.scalars(select(BiaTimeWindow.id).order_by(BiaTimeWindow.minutes)))
    meldkamers = list(db.session.scalars(select(Meldkamer.id)))
    voorzieningen = list(db.session.scalars(select(Voorziening.id)))
    today = date.today()
    db.session.execute(insert(Bia.__table__), [
        {"code": f"BIA-{i:04d}", "subject": f"Proces {i}", "owner": "Eigenaar",
         "voorziening_id": rnd.choice(voorzieningen),
         "next_review": today + timedelta(days=rnd.randint(-200, 400))} for i in range(1, n + 1)])
    ids = list(db.session.scalars(select(Bia.id).order_by(Bia.id)))
    db.session.execute(insert(bia_meldkamer), [
        {"bia_id": b, "meldkamer_id": rnd.choice(meldkamers)} for b in ids])
    versions = []
    approved = datetime.now(UTC) - timedelta(days=100)
    for b in ids:
        for number in (1, 2, 3):
            versions.append({"bia_id": b, "number": number, "rto_minutes": rnd.choice(
                (15, 30, 60, 240)), "mtpd_override_reason": "", "mbco": "",
                "approved_at": None if number == 3 else approved})
    db.session.execute(insert(BiaVersion.__table__), versions)
    version_ids = list(db.session.scalars(select(BiaVersion.id)))
    scores = []
    for v in version_ids:
        for c in categories:
            level = 1
            for w in windows:
                level = min(5, level + rnd.randint(0, 1))
                scores.append({"version_id": v, "category_id": c, "window_id": w,
                               "impact_value": level})
        if len(scores) > 20_000:
            db.session.execute(insert(BiaScore.__table__), scores)
            scores = []
    if scores:
        db.session.execute(insert(BiaScore.__table__), scores)
    deps = []
    for b in ids:
        target = rnd.choice(ids)
        if target != b:
            deps.append({"bia_id": b, "kind": "bia", "target_bia_id": target, "name": "",
                         "recovery_minutes": None})
        deps.append({"bia_id": b, "kind": "supplier", "name": "Leverancier", "target_bia_id": None,
                     "recovery_minutes": rnd.choice((30, 120, 720))})
    db.session.execute(insert(BiaDependency.__table__), deps)
    db.session.commit()
    return ids


def seed_continuity(plans: int, exercises: int, links: int, bias: list[int], rnd,
                    offset: int = 0) -> None:
    from lms_risk.continuity.models import Exercise, Plan, RecoveryStep, plan_risk
    from lms_risk.reference.models import Meldkamer, Voorziening
    from lms_risk.risks.models import Risk

    meldkamers = list(db.session.scalars(select(Meldkamer.id)))
    voorzieningen = list(db.session.scalars(select(Voorziening.id)))
    risk_ids = list(db.session.scalars(select(Risk.id)))
    today = date.today()
    rows = []
    for i in range(offset + 1, offset + plans + 1):
        m = rnd.choice(meldkamers)
        rows.append({"code": f"CP-{i:05d}", "title": f"Plan {i}", "meldkamer_id": m,
                     "voorziening_id": rnd.choice(voorzieningen + [None]),
                     "fallback_meldkamer_id": rnd.choice([x for x in meldkamers if x != m]),
                     "fallback_kind": "uitwijk", "status": rnd.choice(("concept", "actief")),
                     "bia_id": rnd.choice(bias), "target_minutes": rnd.choice((15, 30, 60)),
                     "version": 1, "scope": "", "activation_criteria": "", "decided_by": "",
                     "roles": "", "manual_procedures": "", "communication": ""})
    db.session.execute(insert(Plan.__table__), rows)
    plan_ids = list(db.session.scalars(select(Plan.id).where(Plan.code.in_(
        [r["code"] for r in rows]))))
    db.session.execute(insert(RecoveryStep.__table__), [
        {"plan_id": p, "position": n, "description": f"Stap {n}", "responsible": "",
         "target_minutes": 10 * n} for p in plan_ids for n in (1, 2, 3)])
    start = db.session.scalar(select(func.count(Exercise.id))) or 0
    db.session.execute(insert(Exercise.__table__), [
        {"code": f"OEF-{start + i:06d}", "plan_id": rnd.choice(plan_ids),
         "held_on": today - timedelta(days=rnd.randint(0, 900)),
         "kind": rnd.choice(("tabletop", "failover", "uitwijk")),
         "achieved_minutes": rnd.choice((10, 20, 45, 90, None)),
         "result": rnd.choice(("geslaagd", "deels", "niet_geslaagd")), "scenario": "",
         "participants": "", "notes": ""} for i in range(1, exercises + 1)])
    pairs = set()
    while len(pairs) < links:
        pairs.add((rnd.choice(plan_ids), rnd.choice(risk_ids)))
    db.session.execute(insert(plan_risk), [{"plan_id": p, "risk_id": r} for p, r in pairs])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def seed_bia_links(links: int, bias: list[int], rnd) -> None:
    """``links`` new BIA-risk links; the risk with the most plans gets three BIAs as well."""
    from lms_risk.bia.models import bia_risk
    from lms_risk.continuity.models import plan_risk
    from lms_risk.risks.models import Risk

    risk_ids = list(db.session.scalars(select(Risk.id)))
    have = {tuple(r) for r in db.session.execute(select(bia_risk.c.bia_id, bia_risk.c.risk_id))}
    busiest = db.session.scalar(select(plan_risk.c.risk_id).group_by(plan_risk.c.risk_id)
                                .order_by(func.count().desc(), plan_risk.c.risk_id).limit(1))
    pairs = {(b, busiest) for b in bias[:3]} - have
    while len(pairs) < links:
        pair = (rnd.choice(bias), rnd.choice(risk_ids))
        if pair not in have:
            pairs.add(pair)
    db.session.execute(insert(bia_risk), [{"bia_id": b, "risk_id": r} for b, r in pairs])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def pages() -> dict:
    from lms_risk.bia.models import Bia, bia_risk
    from lms_risk.continuity.models import plan_risk
    from lms_risk.risks.models import Risk

    bia = db.session.scalar(select(Bia.code).order_by(Bia.id).limit(1))
    risk = db.session.scalar(select(Risk.code).join(plan_risk, plan_risk.c.risk_id == Risk.id)
                             .group_by(Risk.code).order_by(func.count().desc(), Risk.code)
                             .limit(1))
    plans = db.session.scalar(select(func.count()).select_from(plan_risk).join(
        Risk, Risk.id == plan_risk.c.risk_id).where(Risk.code == risk))
    bias = db.session.scalar(select(func.count()).select_from(bia_risk).join(
        Risk, Risk.id == bia_risk.c.risk_id).where(Risk.code == risk))
    risks = db.session.scalar(select(func.count()).select_from(bia_risk).join(
        Bia, Bia.id == bia_risk.c.bia_id).where(Bia.code == bia))
    return {"no continuity data (account)": "/account",
            "continuity overview": "/continuity", "takeover matrix": "/continuity/takeover",
            f"BIA page ({bia}, {risks} risks)": f"/bia/{bia}",
            f"risk page ({risk}, {plans} plans, {bias} BIAs)": f"/risks/{risk}"}


def run(app, client, repeat) -> dict:
    print(f"{'page':<46} {'server ms':>10} {'CPU ms':>7} {'SQL floor ms':>13} {'ratio':>6} "
          f"{'queries':>8}")
    counts = {}
    with app.app_context():
        urls = pages()
    for name, url in urls.items():
        server, floor, queries = measure(client, url, repeat)
        cpu = cpu_ms(client, url, repeat)
        counts[name.split(" (")[0]] = queries
        print(f"{name:<46} {server:>10.2f} {cpu:>7.2f} {floor:>13.2f} {server / floor:>6.2f} "
              f"{queries:>8}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=10_000)
    parser.add_argument("--bias", type=int, default=300)
    parser.add_argument("--plans", type=int, default=1_000)
    parser.add_argument("--exercises", type=int, default=5_000)
    parser.add_argument("--links", type=int, default=2_000)
    parser.add_argument("--bia-links", type=int, default=3_000)
    parser.add_argument("--role", default="admin", choices=("admin", "viewer"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    uri, cleanup = bench_database(args.postgres, "lmsrisk_bench_continuity")
    app = bench_app(uri, TWO_FACTOR_REQUIRED_ROLES=())  # the admin signs in with a password
    rnd = random.Random(7)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        seed(args.risks)
        bias = seed_bias(args.bias, rnd)
        seed_continuity(args.plans, args.exercises, args.links, bias, rnd)
        seed_bia_links(args.bia_links, bias, rnd)
        email = "bench@example.nl"
        if args.role == "admin":
            from lms_risk.auth.services import create_user
            email = "bench-admin@example.nl"
            create_user(email, "bench-wachtwoord-123", "admin")
            db.session.commit()
        print(f"database: {db.engine.dialect.name}; seeded {args.risks} risks, {len(bias)} BIAs "
              f"(3 versions, 8×6 grid), {args.plans} plans, {args.exercises} exercises, "
              f"{args.links} plan-risk and {args.bia_links} BIA-risk links in "
              f"{time.perf_counter() - start:.1f} s; pages read as {args.role}")
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench-wachtwoord-123"})
    before = run(app, client, args.repeat)
    with app.app_context():
        seed_continuity(args.plans, args.exercises, args.links, bias, rnd, offset=args.plans)
        seed_bia_links(args.bia_links, bias, rnd)
    print("\nafter doubling plans, exercises and both kinds of links:")
    after = run(app, client, max(3, args.repeat // 4))
    grew = {k: (before[k], after[k]) for k in before if after.get(k) != before[k]}
    print("query counts constant" if not grew else f"QUERY COUNTS GREW: {grew}")
    with app.app_context():
        db.engine.dispose()
    cleanup()


if __name__ == "__main__":
    main()
