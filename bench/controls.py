"""Benchmark of the controls at scale.

Seeds 10,000 risks (as bench/register.py does), 50 scopes (the reference voorzieningen and
meldkamers plus added voorzieningen), a catalogue of 1,500 controls in three frameworks with
2,000 mappings, 75,000 implementation records (every control in every scope) and two controls
linked to each risk; then prints the median server time, the bare SQL floor, their ratio and the
query count of the BBN gap analysis, the NIS2 view, a control's page and the Verklaring van
Toepasselijkheid page; and the time to load the catalogue the first and the second time (from a
YAML library when the catalogue readers are installed, else from the parsed data).

    .venv/bin/python bench/controls.py                 # SQLite
    .venv/bin/python bench/controls.py --postgres      # PostgreSQL on 127.0.0.1
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from register import PG_ADMIN, measure, seed  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from lms_risk import create_app  # noqa: E402
from lms_risk.extensions import db  # noqa: E402
from lms_risk.timeutil import utcnow  # noqa: E402

FRAMEWORKS = (("bench-bio", 600, True), ("bench-bio2", 600, False), ("bench-nis2", 300, False))


def catalogue_yaml(code: str, n: int, bbn: bool) -> str:
    """A CISO Assistant style library: chapters of ten requirement nodes."""
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
            if bbn:
                lines.append(f"      implementation_groups: [BBN{1 + i % 3}]")
    return "\n".join(lines) + "\n"


def catalogue_data(rnd):
    """The same catalogue as data (``catalogue.CatalogueData`` or an equivalent)."""
    try:
        from lms_risk.controls.catalogue import CatalogueData, ControlNode, FrameworkData, \
            MappingData
    except ImportError:
        from types import SimpleNamespace as CatalogueData  # noqa: N813
        ControlNode = FrameworkData = MappingData = CatalogueData
    frameworks = []
    for code, n, bbn in FRAMEWORKS:
        base = f"urn:bench:req_node:{code}"
        nodes = []
        for i in range(n):
            chapter = i % 10 == 0
            nodes.append(ControlNode(
                urn=f"{base}:{i}", ref_id=f"{i // 10}.{i % 10}",
                parent_urn=None if chapter else f"{base}:{i - i % 10}", order=i,
                depth=1 if chapter else 2, title_nl=f"Maatregel {code} {i}", title_en="",
                description_nl="", description_en="", assessable=not chapter,
                bbn_level=(1 + i % 3) if bbn and not chapter else None, tags=()))
        frameworks.append(FrameworkData(
            urn=f"urn:bench:framework:{code}", code=code, name_nl=code, name_en=code,
            version="1", published=None, provider="bench", copyright="bench", source="bench",
            controls=tuple(nodes)))
    pairs = set()
    while len(pairs) < 2000:
        (src, sn, _), (tgt, tn, _) = rnd.sample(FRAMEWORKS, 2)
        pairs.add((f"urn:bench:req_node:{src}:{rnd.randrange(sn)}",
                   f"urn:bench:req_node:{tgt}:{rnd.randrange(tn)}"))
    mappings = tuple(MappingData(source_urn=s, target_urn=t,
                                 relationship=rnd.choice(("equal", "subset", "intersect")))
                     for s, t in sorted(pairs))
    return CatalogueData(frameworks=tuple(frameworks), mappings=mappings, source_name="bench")


def load_timed(data) -> tuple[float, float, str]:
    from lms_risk.auth.models import SystemActor
    from lms_risk.controls.loading import load_catalogue
    times = []
    for _ in range(2):
        start = time.perf_counter()
        plan = load_catalogue(data, SystemActor())
        db.session.commit()
        times.append(time.perf_counter() - start)
    return times[0], times[1], plan.summary()


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
    parser.add_argument("--keep", help="SQLite: keep the seeded database at this path")
    args = parser.parse_args()
    rnd = random.Random(7)
    tmp = tempfile.TemporaryDirectory()
    admin = None
    if args.postgres:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "lmsrisk_bench_controls" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "lmsrisk_bench_controls"'))
        uri = PG_ADMIN.rsplit("/", 1)[0] + "/lmsrisk_bench_controls"
    else:
        uri = f"sqlite:///{args.keep or tmp.name + '/bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        seed(args.risks)
        source = "parsed data"
        try:
            from lms_risk.controls.loading import read_file
            text_yaml = "".join(catalogue_yaml(*f) for f in FRAMEWORKS[:1])
            start = time.perf_counter()
            read_file("bench.yaml", text_yaml.encode())
            print(f"reading a 600-node YAML library: {time.perf_counter() - start:.2f} s")
        except Exception as error:  # noqa: BLE001 - the readers may not be installed here
            print(f"YAML library not read ({type(error).__name__}: {error}); loading parsed data")
        data = catalogue_data(rnd)
        first, second, summary = load_timed(data)
        print(f"catalogue load ({source}, 1,500 controls, 2,000 mappings): first {first:.2f} s, "
              f"second {second:.2f} s ({summary})")
        seed_controls(rnd, args.risks)
        from lms_risk.controls.models import Control
        control = db.session.scalar(select(Control.id).where(Control.assessable.is_(True))
                                    .order_by(Control.id).offset(5).limit(1))
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.nl", "password": "bench-wachtwoord-123"})
    pages = {
        "BBN gap analysis": "/controls/gaps",
        "BBN gap analysis, POL": "/controls/gaps?discipline=POL",
        "NIS2 view": "/controls/nis2?framework=bench-nis2",
        "control page": f"/controls/{control}",
        "VvT, one scope": "/controls?scope=voorziening:GMS",
        "VvT, all scopes": "/controls",
        "VvT, filtered": "/controls?scope=meldkamer:RTD&status=deels&bbn=2",
    }
    print(f"{'page':<28} {'server ms':>10} {'SQL floor ms':>13} {'ratio':>6} {'queries':>8}")
    with app.app_context():
        for name, url in pages.items():
            server, floor, queries = measure(client, url, args.repeat)
            print(f"{name:<28} {server:>10.2f} {floor:>13.2f} {server / floor:>6.2f} {queries:>8}")
    if admin is not None:
        db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "lmsrisk_bench_controls" WITH (FORCE)'))
    tmp.cleanup()


if __name__ == "__main__":
    main()
