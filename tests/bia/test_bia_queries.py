"""The read functions other features may use (``lms_risk.bia.queries``): right answers, and a
query count that does not grow with the number of BIAs, versions or links. Both backends."""

from datetime import date, timedelta

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)

from lms_risk.bia.config import load_bia_config
from lms_risk.bia.queries import (
    bias_for_risks,
    current_versions,
    slow_dependencies,
    targets,
    voorzieningen_without_current_bia,
)
from lms_risk.bia.services import DependencyInput, add_dependency, approve_version, link_risk, \
    new_version
from lms_risk.extensions import db
from lms_risk.reference.data import load_refdata


def _counted(count_queries, call):
    load_bia_config(), load_refdata()  # outside a request these load each time: not counted
    with count_queries() as queries:
        result = call()
    return result, len(queries)


def test_current_versions_and_targets(make_bia, users, count_queries):
    gms = make_bia("GMS", grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    new_version(gms, users["chair"])
    db.session.commit()
    c2000 = make_bia("C2000", rto=30, mtpd_override_minutes=120, mtpd_override_reason="Besluit")
    versions = current_versions()
    assert {k: v.number for k, v in versions.items()} == {gms.id: 2, c2000.id: 1}
    found = targets([gms.id, c2000.id])
    assert (found[gms.id].mtpd.minutes, found[gms.id].rto) == (240, 60)
    assert (found[c2000.id].mtpd.minutes, found[c2000.id].mtpd.overridden) == (120, True)
    assert current_versions([]) == {}
    _, few = _counted(count_queries, lambda: current_versions())
    for n in range(5):
        bia = make_bia(f"B{n}", grid={"JUR": [1, 2, 3, 3, 3, 3]})
        new_version(bia, users["chair"])
    db.session.commit()
    db.session.expire_all()
    result, many = _counted(count_queries, lambda: current_versions())
    assert len(result) == 7 and many == few == 2


def test_bias_for_risks(make_bia, make_risk, users, count_queries):
    a, b = make_bia("A"), make_bia("B")
    r1, r2, r3 = make_risk("R1"), make_risk("R2"), make_risk("R3")
    for bia, risk in ((a, r1), (b, r1), (b, r2)):
        link_risk(bia, risk, users["chair"])
    db.session.commit()
    ids = [r1.id, r2.id, r3.id]
    found, queries = _counted(count_queries, lambda: bias_for_risks(ids))
    assert {k: [x.code for x in v] for k, v in found.items()} == {
        r1.id: [a.code, b.code], r2.id: [b.code], r3.id: []}
    assert queries == 2


def test_voorzieningen_without_a_current_bia(make_bia, users, count_queries):
    today = date(2026, 11, 23)
    current = make_bia("GMS", voorziening="GMS")
    approve_version(current.current, users["chair"])
    overdue = make_bia("C2000", voorziening="C2000")
    approve_version(overdue.current, users["chair"])
    overdue.next_review = today - timedelta(days=1)
    make_bia("NL-Alert concept", voorziening="NLALERT")  # never approved
    db.session.commit()
    found, queries = _counted(count_queries, lambda: voorzieningen_without_current_bia(today))
    reasons = {m.voorziening.code: m.reason for m in found}
    assert "GMS" not in reasons
    assert reasons["C2000"] == "overdue" and reasons["NLALERT"] == "not_approved"
    assert all(reason == "none" for code, reason in reasons.items()
               if code not in ("C2000", "NLALERT"))
    assert queries == 3  # the reference data (once per request), BIAs, their versions


def test_slow_dependencies_over_every_chain(make_bia, users, count_queries):
    top = make_bia("Aanname", rto=15)
    middle = make_bia("GMS", rto=10)
    add_dependency(top, DependencyInput(kind="bia", target_bia_id=middle.id), users["chair"])
    add_dependency(middle, DependencyInput(kind="supplier", name="Datacenter",
                                           recovery_minutes=240), users["chair"])
    db.session.commit()
    found, few = _counted(count_queries, slow_dependencies)
    assert [(b.code, w.path[-1], w.recovery, w.required) for b, w in found] == [
        (top.code, "Datacenter", 240, 10), (middle.code, "Datacenter", 240, 10)]
    for n in range(6):  # a longer chain below: the same queries
        extra = make_bia(f"X{n}", rto=5)
        add_dependency(middle, DependencyInput(kind="bia", target_bia_id=extra.id), users["chair"])
    db.session.commit()
    db.session.expire_all()
    _, many = _counted(count_queries, slow_dependencies)
    assert many == few
