"""Changing reference data (disciplines, meldkamers, voorzieningen, categories)."""

import re

from ..audit.services import record
from ..extensions import db

CODE_PATTERN = re.compile(r"^[A-Z0-9_]{1,20}$")
FIELDS = ("code", "name_nl", "name_en", "sort_order", "active")


class ReferenceError_(ValueError):
    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def save_item(model, item, values: dict, user):
    """Create (``item`` None) or update a reference item; codes are upper case and unique."""
    values = dict(values)
    values["code"] = (values.get("code") or "").strip().upper()
    values["name_nl"] = (values.get("name_nl") or "").strip()
    values["name_en"] = (values.get("name_en") or "").strip()
    if not CODE_PATTERN.match(values["code"]):
        raise ReferenceError_("code", "invalid")
    if not values["name_nl"]:
        raise ReferenceError_("name_nl", "missing")
    clash = db.session.scalar(db.select(model.id).where(model.code == values["code"]))
    if clash and (item is None or clash != item.id):
        raise ReferenceError_("code", "duplicate")
    before = {k: getattr(item, k) for k in values} if item else {}
    if item is None:
        item = model()
        db.session.add(item)
    for k, v in values.items():
        setattr(item, k, v)
    db.session.flush()
    changes = {k: [before.get(k), v] for k, v in values.items() if before.get(k) != v}
    if changes:
        record("update" if before else "create", model.__tablename__, item.code, user,
               changes=changes)
    return item
