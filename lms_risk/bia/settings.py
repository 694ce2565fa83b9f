"""Changing the BIA's configuration: time windows, impact categories, the MTPD threshold and the
BBN rule (BIV → BBN, BIO 1.04). Admins only (the views check); every change is in the audit
trail under the entity type ``bia_config``. Services flush, never commit.

Existing scores stay when a window or category is deactivated (they show again when it is made
active); a changed BBN rule applies to classifications made after it (earlier ones keep the level
they led to, with their history).
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import record
from ..core.fields import clean_text
from ..extensions import db
from ..reference.data import refdata
from .models import BbnRule, BiaImpactCategory, BiaSetting, BiaTimeWindow

CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")


class SettingsError(ValueError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class WindowData:
    code: str = ""
    name_nl: str = ""
    name_en: str = ""
    minutes: int | None = None
    active: bool = True


@dataclass
class CategoryData:
    code: str = ""
    name_nl: str = ""
    name_en: str = ""
    sort_order: int = 0
    active: bool = True


def _names(data, errors, limit):
    for name in ("name_nl", "name_en"):
        value = clean_text((getattr(data, name) or "").strip())
        if len(value) > limit:
            errors[name] = _("te lang: %(n)s tekens, hoogstens %(max)s", n=len(value), max=limit)
        setattr(data, name, value)
    if not data.name_nl and "name_nl" not in errors:
        errors["name_nl"] = _("vul dit veld in")


def _code(model, item, data, errors):
    data.code = (data.code or "").strip()
    if not CODE.match(data.code):
        errors["code"] = _("Gebruik 1 tot 20 letters, cijfers of _.")
        return
    clash = db.session.scalar(select(model.id).where(model.code == data.code))
    if clash is not None and (item is None or clash != item.id):
        errors["code"] = _("Deze code bestaat al.")


def _still_one_active(model, item, data, errors, label):
    if item is None or data.active or not item.active:
        return
    others = db.session.scalar(select(func.count(model.id)).where(model.active.is_(True),
                                                                  model.id != item.id))
    if not others:
        errors["active"] = _("Ten minste één %(what)s moet actief blijven.", what=label)


def _save(model, item, data, fields, entity_prefix, user):
    before = {k: getattr(item, k) for k in fields} if item is not None else {}
    if item is None:
        item = model()
        db.session.add(item)
    for name in fields:
        if getattr(item, name, None) != getattr(data, name):
            setattr(item, name, getattr(data, name))
    db.session.flush()
    changes = {k: [before.get(k), getattr(item, k)] for k in fields
               if before.get(k) != getattr(item, k)}
    if changes:
        record("update" if before else "create", "bia_config", f"{entity_prefix}:{item.code}",
               user, summary=item.name_nl, changes=changes)
        db.session.flush()
    return item, changes


def save_window(window: BiaTimeWindow | None, data: WindowData, user):
    errors = {}
    _code(BiaTimeWindow, window, data, errors)
    _names(data, errors, 50)
    if not isinstance(data.minutes, int) or data.minutes <= 0:
        errors["minutes"] = _("Een aantal minuten groter dan 0.")
    else:
        clash = db.session.scalar(select(BiaTimeWindow.id).where(
            BiaTimeWindow.minutes == data.minutes))
        if clash is not None and (window is None or clash != window.id):
            errors["minutes"] = _("Er is al een periode van %(n)s minuten.", n=data.minutes)
    _still_one_active(BiaTimeWindow, window, data, errors, _("periode"))
    if errors:
        raise SettingsError(errors)
    return _save(BiaTimeWindow, window, data, ("code", "name_nl", "name_en", "minutes", "active"),
                 "window", user)


def save_category(category: BiaImpactCategory | None, data: CategoryData, user):
    errors = {}
    _code(BiaImpactCategory, category, data, errors)
    _names(data, errors, 200)
    if not isinstance(data.sort_order, int):
        errors["sort_order"] = _("geen geheel getal")
    _still_one_active(BiaImpactCategory, category, data, errors, _("impactcategorie"))
    if errors:
        raise SettingsError(errors)
    return _save(BiaImpactCategory, category, data,
                 ("code", "name_nl", "name_en", "sort_order", "active"), "category", user)


def set_mtpd_threshold(value, user) -> bool:
    allowed = sorted(c.value for c in refdata().impacts)
    if value not in allowed:
        raise SettingsError({"threshold": _("Kies een waarde van de impactschaal (%(values)s).",
                                            values=", ".join(map(str, allowed)))})
    setting = db.session.get(BiaSetting, "mtpd_threshold")
    before = setting.value if setting is not None else None
    if before == str(value):
        return False
    if setting is None:
        setting = BiaSetting(key="mtpd_threshold", value=str(value))
        db.session.add(setting)
    else:
        setting.value = str(value)
    db.session.flush()
    record("update", "bia_config", "mtpd_threshold", user, summary=_("MTPD-drempel"),
           changes={"mtpd_threshold": [int(before) if before and before.isdigit() else before,
                                       value]})
    db.session.flush()
    return True


def set_bbn_rule(rule: dict, user) -> dict:
    """``rule``: {(b, i, v): bbn} for every combination of 1–3; each BBN 1, 2 or 3."""
    wanted = {(b, i, v) for b in (1, 2, 3) for i in (1, 2, 3) for v in (1, 2, 3)}
    errors = {}
    if set(rule) != wanted:
        errors["rule"] = _("De regel moet elke combinatie van B, I en V (1–3) een BBN geven.")
    for key, bbn in rule.items():
        if bbn not in (1, 2, 3):
            errors[f"bbn-{key[0]}-{key[1]}-{key[2]}"] = _("kies 1, 2 of 3")
    if errors:
        raise SettingsError(errors)
    rows = {(r.b, r.i, r.v): r for r in db.session.scalars(select(BbnRule))}
    changes = {}
    for key in sorted(wanted):
        row = rows.get(key)
        if row is None:
            db.session.add(BbnRule(b=key[0], i=key[1], v=key[2], bbn=rule[key]))
            changes[f"B{key[0]}I{key[1]}V{key[2]}"] = [None, rule[key]]
        elif row.bbn != rule[key]:
            changes[f"B{key[0]}I{key[1]}V{key[2]}"] = [row.bbn, rule[key]]
            row.bbn = rule[key]
    if changes:
        db.session.flush()
        record("update", "bia_config", "bbn_rule", user, summary=_("BBN-regel"), changes=changes)
        db.session.flush()
    return changes
