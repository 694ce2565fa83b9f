"""Benchmark of the controls at scale.

Seeds 10,000 risks (as bench/register.py does), 50 scopes (the reference voorzieningen and
meldkamers plus added voorzieningen), a catalogue of 1,500 controls in three frameworks with
2,000 mappings, 75,000 implementation records (every control in every scope) and two controls
linked to each risk; then prints the median server time, the bare SQL floor (the page's own
statements replayed on the raw connection), their ratio and the query count of the BBN gap
analysis, the NIS2 view (over every scope: one page of measures; and for one scope, every
measure), a control's page and the Verklaring van Toepasselijkheid page; and the time to load the
catalogue the first and the second time (from YAML libraries, read and loaded; the readers'
modules are imported beforehand, so the first load times loading, not Python's imports).

Besides the wall time, the request's CPU time in this process: on SQLite that holds the database
work too and is what stays comparable when the machine is shared. The first row, a page without
controls data (the account page), shows the fixed cost of any request (sign-in session, reference
data, layout), which bounds the ratio of a page whose own SQL takes under a millisecond.

    .venv/bin/python bench/controls.py                 # SQLite
    .venv/bin/python bench/controls.py --postgres      # PostgreSQL on 127.0.0.1
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from register import bench_app, bench_database, cpu_ms, measure, seed  # noqa: E402
from sqlalchemy import insert, select, text, update  # noqa: E402

from lms_risk.extensions import db  # noqa: E402
from lms_risk.timeutil import utcnow  # noqa: E402

FRAMEWORKS = (("bench-bio", 600, True), ("bench-bio2", 600, False), ("bench-nis2", 300, False))


def catalogue_yaml(code: str, n: int) -> str:
    """A CISO Assistant framework library: chapters of ten requirement nodes."""
    base = f"urn:bench:req_node:{code}"
    lines = [f"urn: urn:bench:library:{code}", "locale: nl", f"ref_id: {code}",
             f"name: {code}", "version: 1", "provider: bench", "copyright: bench",
             "objects:", "  framework:", f"    urn: urn:bench:framework:{code}",
             f"    ref_id: {code}", f"    name: {code}", "    requirement_nodes:"]
    for i in range(n):
        chapter = i % 10 == 0
        lines += [f"    - urn: {base}:{i}", f"      ref_id: '{i // 10}.{i % 10}'",
                  f"      name: Maatregel {code} {i}", f"      depth: {1 if chapter else 2}",
                  f"      assessable: {'false' if chapter else 'true'}"]
        if not chapter:
            lines.append(f"      parent_urn: {base}:{i - i % 10}")
    return "\n".join(lines) + "\n"


def mapping_yaml(rnd) -> str:
    """A CISO Assistant mapping library with 2,000 mappings in the sets between the frameworks."""
    sets: dict = {}
    pairs = set()
    while len(pairs) < 2000:
        (src, sn, _), (tgt, tn, _) = rnd.sample(FRAMEWORKS, 2)
        pair = (f"urn:bench:req_node:{src}:{rnd.randrange(sn)}",
                f"urn:bench:req_node:{tgt}:{rnd.randrange(tn)}")
        if pair not in pairs:
            pairs.add(pair)
            sets.setdefault((src, tgt), []).append(pair)
    lines = ["urn: urn:bench:library:mappings", "locale: nl", "ref_id: mappings",
             "name: mappings", "version: 1", "objects:", "  requirement_mapping_sets:"]
    for (src, tgt), items in sorted(sets.items()):
        lines += [f"  - urn: urn:bench:req_mapping_set:{src}-{tgt}", f"    ref_id: {src}-{tgt}",
                  f"    name: {src} {tgt}", f"    source_framework_urn: urn:bench:framework:{src}",
                  f"    target_framework_urn: urn:bench:framework:{tgt}",
                  "    requirement_mappings:"]
        for s_urn, t_urn in sorted(items):
            lines += [f"    - source_requirement_urn: {s_urn}",
                      f"      target_requirement_urn: {t_urn}",
                      f"      relationship: {rnd.choice(('equal', 'subset', 'intersect'))}"]
    return "\n".join(lines) + "\n"


def load_timed(files) -> list[tuple[float, str]]:
    """Read and load the YAML libraries, twice; (seconds, summary) per round."""
    from lms_risk.auth.models import SystemActor
    from lms_risk.controls import workbook_catalogue, yaml_library  # noqa: F401  (imported)
    from lms_risk.controls.loading import load_catalogue, read_file
    rounds = []
    for _ in range(2):
        start = time.perf_counter()
        summaries = []
        for name, text_yaml in files:
            plan = load_catalogue(read_file(name, text_yaml.encode()), SystemActor())
            db.session.commit()
            summaries.append(plan.summary())
        rounds.append((time.perf_counter() - start, "; ".join(summaries)))
    return rounds


def seed_controls(rnd, risks: int) -> None:
    from lms_risk.controls.models import Control, Implementation, RiskControl, ScopeLevel
    from lms_risk.reference.models import Meldkamer, Voorziening
    have = db.session.scalar(select(db.func.count(Voorziening.id)))
    have_m = db.session.scalar(select(db.func.count(Meldkamer.id)))
    db.session.execute(insert(Voorziening.__table__), [
        {"code": f"BV{i:02d}", "name_nl": f"Voorziening {i}", "name_en": "", "sort_order": 100 + i,
         "active": True} for i in range(50 - have - have_m)])
    db.session.commit()
    scopes = [f"v:{i}" for i in db.session.scalars(select(Voorziening.id))] + \
        [f"m:{i}" for i in db.session.scalars(select(Meldkamer.id))]
    controls = list(db.session.scalars(select(Control.id).where(Control.assessable.is_(True))))
    all_controls = list(db.session.scalars(select(Control.id)))
    statuses = ("niet", "deels", "volledig")
    now = utcnow()
    rows = []
    for key in scopes:
        kind, ident = key.split(":")
        for cid in all_controls:
            rows.append({"control_id": cid, "scope_key": key,
                         "voorziening_id": int(ident) if kind == "v" else None,
                         "meldkamer_id": int(ident) if kind == "m" else None,
                         "applicable": rnd.random() > 0.05, "reason": "",
                         "status": rnd.choice(statuses), "owner": f"Eigenaar {rnd.randrange(40)}",
                         "evidence": "", "evidence_link": "", "updated_at": now})
            if len(rows) == 5000:
                db.session.execute(insert(Implementation.__table__), rows)
                rows = []
    if rows:
        db.session.execute(insert(Implementation.__table__), rows)
    db.session.execute(insert(ScopeLevel.__table__), [
        {"scope_key": key, "bbn_level": 1 + n % 3, "reason": ""} for n, key in enumerate(scopes)])
    links = {(rid, rnd.choice(controls)) for rid in range(1, risks + 1) for _ in range(2)}
    db.session.execute(insert(RiskControl.__table__), [
        {"risk_id": r, "control_id": c, "kind": rnd.choice(("existing", "planned"))}
        for r, c in links])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"scopes: {len(scopes)}; implementations: {len(scopes) * len(all_controls)}; "
          f"risk links: {len(links)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", help="SQLite: keep the seeded database at this path; "
                                       "PostgreSQL: keep the database lmsrisk_bench_controls")
    args = parser.parse_args()
    rnd = random.Random(7)
    uri, cleanup = bench_database(args.postgres, "lmsrisk_bench_controls", args.keep)
    app = bench_app(uri)
    with app.app_context():
        upgrade()
        seed(args.risks)
        files = [(f"{code}.yaml", catalogue_yaml(code, n)) for code, n, _ in FRAMEWORKS]
        files.append(("mappings.yaml", mapping_yaml(rnd)))
        (first, summary), (second, again) = load_timed(files)
        print(f"catalogue load (3 YAML libraries, 1,500 controls; 1 mapping library, 2,000 "
              f"mappings), read + load: first {first:.2f} s, second {second:.2f} s")
        print(f"  second load: {again[:300]}")
        # BBN levels come from a BIO 1.04 workbook, not YAML: give the first framework some.
        from lms_risk.controls.models import Control, Framework
        bio = db.session.scalar(select(Framework.id).where(Framework.code.ilike("bench-bio")))
        db.session.execute(update(Control).where(Control.framework_id == bio,
                                                 Control.assessable.is_(True))
                           .values(bbn_level=1 + Control.id % 3))
        db.session.commit()
        seed_controls(rnd, args.risks)
        from lms_risk.controls.models import Control
        control = db.session.scalar(select(Control.id).where(Control.assessable.is_(True))
                                    .order_by(Control.id).offset(5).limit(1))
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.nl", "password": "bench-wachtwoord-123"})
    pages = {
        "no controls data (account)": "/account",
        "BBN gap analysis": "/controls/gaps",
        "BBN gap analysis, POL": "/controls/gaps?discipline=POL",
        "NIS2 view": "/controls/nis2?framework=bench-nis2",
        "NIS2 view, one scope": "/controls/nis2?framework=bench-nis2&scope=voorziening:GMS",
        "control page": f"/controls/{control}",
        "VvT, one scope": "/controls?scope=voorziening:GMS",
        "VvT, all scopes": "/controls",
        "VvT, filtered": "/controls?scope=meldkamer:RTD&status=deels&bbn=2",
    }
    print(f"{'page':<28} {'server ms':>10} {'CPU ms':>7} {'SQL floor ms':>13} {'ratio':>6} "
          f"{'queries':>8}")
    for name, url in pages.items():
        server, floor, queries = measure(client, url, args.repeat)
        cpu = cpu_ms(client, url, args.repeat)
        print(f"{name:<28} {server:>10.2f} {cpu:>7.2f} {floor:>13.2f} {server / floor:>6.2f} "
              f"{queries:>8}")
    with app.app_context():
        db.engine.dispose()
    cleanup()


if __name__ == "__main__":
    main()
