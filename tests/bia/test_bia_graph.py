"""The dependency chain is loaded in a constant number of queries, on both backends: the warning
(a dependency recovering slower than what depends on it) and loop safety hold however long the
chain is."""

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)

from lms_risk.bia.graph import reachable_ids
from lms_risk.bia.services import DependencyInput, add_dependency, chain_warnings
from lms_risk.extensions import db


def _chain(make_bia, users, length, prefix, slow_leaf=True):
    """top (RTO 60) → … → last, each link a BIA dependency; the last depends on a supplier that
    needs a day."""
    bias = [make_bia(f"{prefix}{n}", rto=60 if n == 0 else 30) for n in range(length)]
    for upper, lower in zip(bias, bias[1:]):
        add_dependency(upper, DependencyInput(kind="bia", target_bia_id=lower.id), users["chair"])
    if slow_leaf:
        add_dependency(bias[-1], DependencyInput(kind="supplier", name="Leverancier",
                                                 recovery_minutes=1440), users["chair"])
    db.session.commit()
    return bias


def test_chain_warnings_take_the_same_queries_for_a_short_and_a_long_chain(
        make_bia, users, count_queries):
    short = _chain(make_bia, users, 2, "S")
    long = _chain(make_bia, users, 9, "L")
    counts = []
    for bias in (short, long):
        db.session.expire_all()
        with count_queries() as queries:
            warnings, loops = chain_warnings(bias[0])
        counts.append(len(queries))
        assert loops == []
        # the slow supplier, at the end of the whole chain, is measured against the strictest
        # requirement above it (30 minutes, the second BIA's RTO)
        [warning] = warnings
        assert warning.path[-1] == "Leverancier" and len(warning.path) == len(bias) + 1
        assert (warning.recovery, warning.required) == (1440, 30)
        assert warning.required_by == f"{bias[1].code} {bias[1].subject}"
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12  # the chain (5), the BIA configuration (4), reference data, the BIA


def test_a_loop_in_a_long_chain_ends_and_is_reported_once(make_bia, users):
    bias = _chain(make_bia, users, 6, "K", slow_leaf=False)
    add_dependency(bias[-1], DependencyInput(kind="bia", target_bia_id=bias[2].id),
                   users["chair"])
    db.session.commit()
    assert sorted(reachable_ids(bias[0].id)) == sorted(b.id for b in bias)
    warnings, loops = chain_warnings(bias[0])
    assert warnings == []
    assert loops == [[f"{b.code} {b.subject}" for b in bias] + [f"{bias[2].code} K2"]]


def test_a_voorziening_dependency_is_followed_through_its_bia(make_bia, users):
    gms = make_bia("GMS", voorziening="GMS", rto=240)
    intake = make_bia("Aanname 112", rto=15)
    add_dependency(intake, DependencyInput(kind="voorziening", voorziening="GMS"), users["chair"])
    db.session.commit()
    [warning] = chain_warnings(intake)[0]
    assert warning.path == [f"{intake.code} Aanname 112", f"{gms.code} GMS"]
    assert (warning.recovery, warning.required) == (240, 15)


def test_the_bia_page_queries_do_not_grow_with_the_chain(client, auth, make_bia, users,
                                                         count_queries):
    short = _chain(make_bia, users, 2, "S")
    long = _chain(make_bia, users, 9, "L")
    auth.login("viewer")
    counts = []
    for bias in (short, long):
        with count_queries() as queries:
            page = client.get(f"/bia/{bias[0].code}").get_data(as_text=True)
        counts.append(len(queries))
        assert 'id="chain-warnings"' in page and "Leverancier" in page
    assert counts[0] == counts[1], counts


def test_a_web_of_shared_dependencies_is_walked_once_per_requirement(make_bia, users):
    """Ten layers of two BIAs, each depending on both of the next layer: 2^10 paths, walked in
    a few dozen steps, the slow leaf still found."""
    layers = [[make_bia(f"L{n}{side}", rto=60) for side in "ab"] for n in range(10)]
    for upper, lower in zip(layers, layers[1:]):
        for a in upper:
            for b in lower:
                add_dependency(a, DependencyInput(kind="bia", target_bia_id=b.id),
                               users["chair"])
    add_dependency(layers[-1][0], DependencyInput(kind="supplier", name="Leverancier",
                                                  recovery_minutes=120), users["chair"])
    db.session.commit()
    warnings, loops = chain_warnings(layers[0][0])
    assert loops == [] and {w.path[-1] for w in warnings} == {"Leverancier"}
    assert len(warnings) == 1
