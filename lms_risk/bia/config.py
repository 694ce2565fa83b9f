"""The BIA's configurable data (time windows, impact categories, MTPD threshold, BBN rule),
loaded once per request like the reference data."""

from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import select

from ..extensions import db
from .models import BbnRule, BiaImpactCategory, BiaSetting, BiaTimeWindow

DEFAULT_MTPD_THRESHOLD = 4


@dataclass
class BiaConfig:
    windows: list  # active, shortest first
    categories: list  # active, in their order
    all_windows: list
    all_categories: list
    settings: dict
    bbn_rule: dict  # (b, i, v) -> bbn
    window_by_code: dict = field(init=False)
    category_by_code: dict = field(init=False)
    window_by_id: dict = field(init=False)
    category_by_id: dict = field(init=False)

    def __post_init__(self):
        self.window_by_code = {w.code: w for w in self.all_windows}
        self.category_by_code = {c.code: c for c in self.all_categories}
        self.window_by_id = {w.id: w for w in self.all_windows}
        self.category_by_id = {c.id: c for c in self.all_categories}

    @property
    def mtpd_threshold(self) -> int:
        try:
            return int(self.settings.get("mtpd_threshold", DEFAULT_MTPD_THRESHOLD))
        except ValueError:
            return DEFAULT_MTPD_THRESHOLD


def load_bia_config() -> BiaConfig:
    windows = list(db.session.scalars(select(BiaTimeWindow).order_by(BiaTimeWindow.minutes)))
    categories = list(db.session.scalars(
        select(BiaImpactCategory).order_by(BiaImpactCategory.sort_order, BiaImpactCategory.id)))
    settings = dict(db.session.execute(select(BiaSetting.key, BiaSetting.value)).all())
    rule = {(b, i, v): bbn for b, i, v, bbn in db.session.execute(
        select(BbnRule.b, BbnRule.i, BbnRule.v, BbnRule.bbn))}
    return BiaConfig(windows=[w for w in windows if w.active],
                     categories=[c for c in categories if c.active],
                     all_windows=windows, all_categories=categories, settings=settings,
                     bbn_rule=rule)


def bia_config() -> BiaConfig:
    if not has_request_context():
        return load_bia_config()
    config = g.get("_lms_bia_config")
    if config is None:
        config = g._lms_bia_config = load_bia_config()
    return config
