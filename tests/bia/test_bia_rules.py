"""The BIA's rules, through its services, on SQLite and PostgreSQL."""

import pytest

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)
from sqlalchemy import select, update

from lms_risk.audit.models import AuditEvent
from lms_risk.bia.config import load_bia_config
from lms_risk.bia.models import BbnRule, BiaSetting
from lms_risk.bia.services import (
    BiaError,
    DependencyInput,
    FrozenVersionError,
    add_dependency,
    approve_version,
    bbn_for,
    chain_warnings,
    classify,
    mtpd,
    new_version,
)
from lms_risk.extensions import db



def test_migration_seeds_windows_categories_threshold_and_rule(config):
    assert [w.minutes for w in config.windows] == [15, 60, 240, 1440, 4320, 10080]
    assert [c.name_nl for c in config.categories][:2] == ["Mensenlevens en gezondheid",
                                                           "Openbare orde en veiligheid"]
    assert len(config.categories) == 8 and all(c.name_en for c in config.categories)
    assert config.mtpd_threshold == 4
    assert len(config.bbn_rule) == 27


def test_mtpd_is_the_first_window_any_category_reaches_the_threshold(make_bia, config):
    bia = make_bia(grid={"LEVEN": [1, 2, 3, 3, 5, 5], "BEREIK": [2, 3, 4, 5, 5, 5]})
    result = mtpd(bia.current, config)
    assert result.minutes == 240 and not result.overridden  # BEREIK reaches 4 at 4 hours


def test_mtpd_threshold_is_a_setting(make_bia, app):
    bia = make_bia(grid={"BEREIK": [2, 3, 4, 5, 5, 5]})
    db.session.execute(update(BiaSetting).where(BiaSetting.key == "mtpd_threshold")
                       .values(value="5"))
    assert mtpd(bia.current, load_bia_config()).minutes == 1440


def test_mtpd_override_needs_a_reason_and_wins(make_bia, set_grid, users):
    bia = make_bia(grid={"BEREIK": [2, 3, 4, 5, 5, 5]})
    with pytest.raises(BiaError) as refused:
        set_grid(bia.current, {"BEREIK": [2, 3, 4, 5, 5, 5]}, users["chair"],
                 mtpd_override_minutes=60)
    assert "mtpd_override_reason" in refused.value.errors
    set_grid(bia.current, {"BEREIK": [2, 3, 4, 5, 5, 5]}, users["chair"],
             mtpd_override_minutes=60, mtpd_override_reason="Besluit risk board")
    result = mtpd(bia.current)
    assert (result.minutes, result.derived_minutes, result.overridden) == (60, 240, True)


def test_a_score_lower_than_an_earlier_window_is_refused_and_named(make_bia, set_grid, users):
    bia = make_bia()
    with pytest.raises(BiaError) as refused:
        set_grid(bia.current, {"JUR": [1, 3, 2, 4, 4, 4]}, users["chair"])
    assert list(refused.value.errors) == ["grid.JUR.4u"]
    message = refused.value.errors["grid.JUR.4u"]
    assert "Juridisch" in message and "4 uur" in message and "1 uur" in message
    assert bia.current.scores == []


def test_rto_longer_than_mtpd_is_refused(make_bia, set_grid, users):
    bia = make_bia()
    with pytest.raises(BiaError) as refused:
        set_grid(bia.current, {"LEVEN": [2, 4, 5, 5, 5, 5]}, users["chair"], rto_minutes=120)
    assert "rto_minutes" in refused.value.errors  # MTPD is 1 hour
    set_grid(bia.current, {"LEVEN": [2, 4, 5, 5, 5, 5]}, users["chair"], rto_minutes=60)
    assert bia.current.rto_minutes == 60
    # against an overridden MTPD too
    with pytest.raises(BiaError):
        set_grid(bia.current, {"LEVEN": [2, 4, 5, 5, 5, 5]}, users["chair"], rto_minutes=60,
                 mtpd_override_minutes=30, mtpd_override_reason="strenger")


def test_new_version_copies_and_approval_freezes(make_bia, set_grid, users):
    bia = make_bia(grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    first = bia.current
    approve_version(first, users["chair"])
    assert first.approved_by_id == users["chair"].id and first.approved_at
    with pytest.raises(FrozenVersionError):
        set_grid(first, {"LEVEN": [1, 1, 1, 1, 1, 1]}, users["chair"])
    with pytest.raises(FrozenVersionError):
        approve_version(first, users["chair"])
    second = new_version(bia, users["chair"])
    assert second.number == 2 and not second.frozen and second.rto_minutes == 60
    assert second.grid() == first.grid() and second.id != first.id
    set_grid(second, {"LEVEN": [2, 3, 4, 5, 5, 5]}, users["chair"], rto_minutes=30)
    db.session.commit()
    assert [v.number for v in bia.versions] == [1, 2]
    assert first.rto_minutes == 60 and first.grid() != second.grid()  # earlier one unchanged


def _rto(make_bia, subject, rto):
    return make_bia(subject, grid={"BEREIK": [1, 2, 3, 4, 5, 5]}, rto=rto)


def test_chain_warning_follows_three_levels(make_bia, users):
    intake = _rto(make_bia, "Aanname 112", 15)
    gms = _rto(make_bia, "GMS", 15)
    datacenter = _rto(make_bia, "Datacenter", 240)
    add_dependency(intake, DependencyInput(kind="bia", target_bia_id=gms.id), users["chair"])
    add_dependency(gms, DependencyInput(kind="bia", target_bia_id=datacenter.id), users["chair"])
    add_dependency(datacenter, DependencyInput(kind="supplier", name="Stroomleverancier",
                                               recovery_minutes=1440), users["chair"])
    warnings, loops = chain_warnings(intake)
    assert loops == []
    paths = [(w.path[-1], w.recovery, w.required) for w in warnings]
    # GMS itself is fast enough; the datacenter (4 h) and its supplier (24 h) are not
    assert paths == [(f"{datacenter.code} Datacenter", 240, 15), ("Stroomleverancier", 1440, 15)]
    assert warnings[1].path == [f"{intake.code} Aanname 112", f"{gms.code} GMS",
                                f"{datacenter.code} Datacenter", "Stroomleverancier"]
    assert warnings[1].required_by == f"{intake.code} Aanname 112"


def test_chain_with_a_loop_ends_and_reports_it(make_bia, users):
    a, b, c = _rto(make_bia, "A", 60), _rto(make_bia, "B", 60), _rto(make_bia, "C", 240)
    add_dependency(a, DependencyInput(kind="bia", target_bia_id=b.id), users["chair"])
    add_dependency(b, DependencyInput(kind="bia", target_bia_id=c.id), users["chair"])
    add_dependency(c, DependencyInput(kind="bia", target_bia_id=a.id), users["chair"])
    warnings, loops = chain_warnings(a)
    assert loops == [[f"{a.code} A", f"{b.code} B", f"{c.code} C", f"{a.code} A"]]
    assert [w.path[-1] for w in warnings] == [f"{c.code} C"]


def test_dependency_on_a_voorziening_is_followed_through_its_bia(make_bia, users):
    top = _rto(make_bia, "Aanname 112", 15)
    c2000 = _rto(make_bia, "C2000-spraak", 60)
    c2000.voorziening_id = db.session.scalar(select(db.text("id FROM voorziening "
                                                            "WHERE code = 'C2000'")))
    add_dependency(top, DependencyInput(kind="voorziening", voorziening="C2000"), users["chair"])
    warnings, _ = chain_warnings(top)
    assert [(w.path[-1], w.recovery) for w in warnings] == [(f"{c2000.code} C2000-spraak", 60)]


def test_a_bia_cannot_depend_on_itself(make_bia, users):
    bia = make_bia()
    with pytest.raises(BiaError):
        add_dependency(bia, DependencyInput(kind="bia", target_bia_id=bia.id), users["chair"])


def test_biv_gives_bbn_by_the_rule_table_and_keeps_history(make_bia, users, app):
    bia = make_bia()
    classify(bia, 3, 1, 2, users["chair"], reason="eerste indeling")
    assert bia.bbn == 3
    classify(bia, 1, 2, 1, users["chair"])
    assert bia.bbn == 2
    assert [(c.b, c.i, c.v, c.bbn) for c in bia.classifications] == [(3, 1, 2, 3), (1, 2, 1, 2)]
    # the rule is data: the board says availability alone decides
    for rule in db.session.scalars(select(BbnRule)):
        rule.bbn = rule.b
    db.session.flush()
    assert bbn_for(1, 3, 3, load_bia_config()) == 1
    with pytest.raises(BiaError):
        classify(bia, 4, 1, 1, users["chair"])


def test_audit_events_name_cells_in_words(make_bia, set_grid, users, client, auth):
    bia = make_bia()
    set_grid(bia.current, {"LEVEN": [1, 2, 4, 5, 5, 5]}, users["chair"], rto_minutes=60)
    approve_version(bia.current, users["chair"])
    classify(bia, 2, 2, 1, users["chair"])
    db.session.commit()
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "bia").order_by(AuditEvent.id))]
    assert actions == ["create", "update", "approve", "classify"]
    auth.login("admin")
    page = client.get(f"/audit?entity_type=bia&entity_id={bia.code}").get_data(as_text=True)
    assert "Mensenlevens en gezondheid · 4 uur" in page
    assert "Beschikbaarheid" in page and "vastgesteld" in page
    assert f'href="/bia/{bia.code}"' in page
