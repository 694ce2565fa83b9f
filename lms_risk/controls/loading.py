"""Loading a catalogue (frameworks, controls, mappings) read by ``catalogue.read_catalogue``.

:func:`plan_catalogue` compares the file with what is stored and says, per framework, what would
be added, changed, retired and left alone; :func:`apply_plan` writes it (bulk statements, flush,
no commit) and records one audit event per framework and per mapping set. Loading the same file
twice changes nothing; a newer version updates texts, adds controls and retires the ones it no
longer holds (their implementation records and risk links stay). Mappings are replaced per
mapping set: all mappings from one framework to another that the file holds.
"""

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import Control, ControlMapping, Framework

log = logging.getLogger("lms_risk.controls")

FRAMEWORK_FIELDS = ("code", "name_nl", "name_en", "version", "published", "provider",
                    "copyright", "source")
CONTROL_FIELDS = ("ref_id", "sort_order", "depth", "title_nl", "title_en", "description_nl",
                  "description_en", "assessable", "bbn_level", "tags", "parent_urn")


class LoadError(ValueError):
    """The catalogue cannot be loaded; ``problems`` is a list of (where, why): lazy strings with
    Dutch msgids, in the reader's language inside a request and Dutch outside one (the CLI)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{w}: {m}" for w, m in problems))
        self.problems = problems


@dataclass
class FrameworkPlan:
    urn: str
    code: str
    name: str
    version: str
    existing_id: int | None
    framework_values: dict
    metadata_changed: list[str]
    added: list[dict] = field(default_factory=list)
    changed: list[tuple[int, dict, list[str]]] = field(default_factory=list)  # id, values, fields
    retired: list[tuple[int, str]] = field(default_factory=list)  # id, label
    unchanged: int = 0
    # Only their place moved (a control before them was added or removed): updated quietly,
    # counted as unchanged.
    moved: list[tuple[int, int]] = field(default_factory=list)  # id, sort order

    @property
    def is_new(self) -> bool:
        return self.existing_id is None

    @property
    def changes(self) -> int:
        return (len(self.added) + len(self.changed) + len(self.retired)
                + (1 if self.metadata_changed or self.is_new else 0))


@dataclass
class MappingSetPlan:
    source_framework: str  # urn
    target_framework: str
    wanted: dict  # (source urn, target urn) -> relationship
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return self.added + self.changed + self.removed


@dataclass
class CataloguePlan:
    source_name: str
    frameworks: list[FrameworkPlan]
    mapping_sets: list[MappingSetPlan]
    warnings: list = field(default_factory=list)  # (where, why) the reader ignored

    @property
    def changes(self) -> int:
        return sum(f.changes for f in self.frameworks) + sum(m.changes for m in self.mapping_sets)

    def summary(self) -> str:
        parts = [f"{f.code}: added={len(f.added)} changed={len(f.changed)} "
                 f"retired={len(f.retired)} unchanged={f.unchanged}" for f in self.frameworks]
        parts += [f"mappings {m.source_framework} -> {m.target_framework}: added={m.added} "
                  f"changed={m.changed} removed={m.removed} unchanged={m.unchanged}"
                  for m in self.mapping_sets]
        return "; ".join(parts) or "empty catalogue"


def _control_values(node, order_fallback: int) -> dict:
    return {
        "urn": node.urn, "ref_id": node.ref_id or None,
        "sort_order": node.order if node.order is not None else order_fallback,
        "depth": node.depth or 1, "title_nl": node.title_nl or "", "title_en": node.title_en or "",
        "description_nl": node.description_nl or "", "description_en": node.description_en or "",
        "assessable": bool(node.assessable), "bbn_level": node.bbn_level,
        "tags": "|".join(node.tags or ()), "parent_urn": node.parent_urn or None,
    }


def plan_catalogue(data) -> CataloguePlan:
    """What loading ``data`` (a ``catalogue.CatalogueData``) would change. Reads only."""
    problems: list[tuple[str, str]] = []
    seen_urns: dict[str, str] = {}
    for fw in data.frameworks:
        for node in fw.controls:
            if node.urn in seen_urns:
                problems.append((node.urn, _l("staat twee keer in het bestand (in %(one)s en in "
                                                "%(other)s)", one=seen_urns[node.urn],
                                                other=fw.urn)))
            seen_urns[node.urn] = fw.urn
    urns = [fw.urn for fw in data.frameworks]
    stored_fw = {f.urn: f for f in db.session.scalars(
        select(Framework).where(Framework.urn.in_(urns)))} if urns else {}
    # Controls that belong to another framework in the database keep their place: refuse.
    if seen_urns:
        for urn, fw_urn in db.session.execute(
                select(Control.urn, Framework.urn).join(Framework)
                .where(Control.urn.in_(list(seen_urns)), Framework.urn.not_in(urns))):
            problems.append((urn, _l("hoort al bij het raamwerk %(framework)s",
                                     framework=fw_urn)))

    plans = []
    for fw in data.frameworks:
        stored = stored_fw.get(fw.urn)
        values = {"code": fw.code or fw.urn.rsplit(":", 1)[-1], "name_nl": fw.name_nl or "",
                  "name_en": fw.name_en or "", "version": str(fw.version or ""),
                  "published": fw.published, "provider": fw.provider or "",
                  "copyright": fw.copyright or "", "source": fw.source or ""}
        meta_changed = [k for k in FRAMEWORK_FIELDS if stored is not None
                        and getattr(stored, k) != values[k]]
        plan = FrameworkPlan(urn=fw.urn, code=values["code"],
                             name=values["name_nl"] or values["name_en"], version=values["version"],
                             existing_id=stored.id if stored else None, framework_values=values,
                             metadata_changed=meta_changed)
        existing = {}
        if stored is not None:
            parent = db.aliased(Control)
            rows = db.session.execute(
                select(Control.id, Control.urn, Control.ref_id, Control.sort_order, Control.depth,
                       Control.title_nl, Control.title_en, Control.description_nl,
                       Control.description_en, Control.assessable, Control.bbn_level,
                       Control.tags, parent.urn.label("parent_urn"), Control.retired_at)
                .outerjoin(parent, parent.id == Control.parent_id)
                .where(Control.framework_id == stored.id))
            existing = {r.urn: r for r in rows}
        in_file = set()
        for index, node in enumerate(fw.controls):
            wanted = _control_values(node, index)
            in_file.add(node.urn)
            if wanted["parent_urn"] and wanted["parent_urn"] not in seen_urns \
                    and wanted["parent_urn"] not in existing:
                problems.append((node.urn, _l("de bovenliggende maatregel %(parent)s staat niet in "
                                                "de catalogus", parent=wanted["parent_urn"])))
            row = existing.get(node.urn)
            if row is None:
                plan.added.append(wanted)
                continue
            fields = [k for k in CONTROL_FIELDS if getattr(row, k) != wanted[k]]
            if row.retired_at is not None:
                fields.append("retired_at")
            if fields == ["sort_order"]:
                plan.moved.append((row.id, wanted["sort_order"]))
                plan.unchanged += 1
            elif fields:
                plan.changed.append((row.id, wanted, fields))
            else:
                plan.unchanged += 1
        for urn, row in existing.items():
            if urn not in in_file and row.retired_at is None:
                plan.retired.append((row.id, row.ref_id or urn))
        plans.append(plan)

    mapping_sets = _plan_mappings(data, seen_urns, problems)
    if problems:
        raise LoadError(problems)
    return CataloguePlan(source_name=data.source_name, frameworks=plans,
                         mapping_sets=mapping_sets, warnings=list(getattr(data, "warnings", ())))


def _plan_mappings(data, seen_urns: dict, problems: list) -> list[MappingSetPlan]:
    if not data.mappings:
        return []
    named = {m.source_urn for m in data.mappings} | {m.target_urn for m in data.mappings}
    stored = {urn: fw_urn for urn, fw_urn in db.session.execute(
        select(Control.urn, Framework.urn).join(Framework).where(Control.urn.in_(list(named))))}
    framework_of = {**stored, **seen_urns}
    sets: dict[tuple[str, str], MappingSetPlan] = {}
    for m in data.mappings:
        missing = [u for u in (m.source_urn, m.target_urn) if u not in framework_of]
        where = _l("koppeling %(source)s → %(target)s", source=m.source_urn, target=m.target_urn)
        if missing:
            for urn in missing:
                problems.append((where, _l("de maatregel %(urn)s is onbekend; laad eerst zijn "
                                           "raamwerk", urn=urn)))
            continue
        if m.relationship not in ("equal", "subset", "superset", "intersect"):
            problems.append((where, _l("onbekende relatie %(value)s; bekend zijn equal, subset, "
                                       "superset en intersect", value=repr(m.relationship))))
            continue
        pair = (framework_of[m.source_urn], framework_of[m.target_urn])
        plan = sets.setdefault(pair, MappingSetPlan(pair[0], pair[1], {}))
        plan.wanted[(m.source_urn, m.target_urn)] = m.relationship
    if problems:
        return list(sets.values())
    stored = _stored_mapping_sets(list(sets))
    for key, plan in sets.items():
        current = stored.get(key, {})
        for pair, relationship in plan.wanted.items():
            old = current.get(pair)
            if old is None:
                plan.added += 1
            elif old[1] != relationship:
                plan.changed += 1
            else:
                plan.unchanged += 1
        plan.removed = len(set(current) - set(plan.wanted))
    return list(sets.values())


def _stored_mapping_sets(pairs: list[tuple[str, str]]) -> dict:
    """(source framework urn, target framework urn) -> {(source urn, target urn): (mapping id,
    relationship)} for the given mapping sets, in one query."""
    if not pairs:
        return {}
    src, tgt = db.aliased(Control), db.aliased(Control)
    sfw, tfw = db.aliased(Framework), db.aliased(Framework)
    rows = db.session.execute(
        select(sfw.urn, tfw.urn, ControlMapping.id, src.urn, tgt.urn, ControlMapping.relation)
        .join(src, src.id == ControlMapping.source_id).join(sfw, sfw.id == src.framework_id)
        .join(tgt, tgt.id == ControlMapping.target_id).join(tfw, tfw.id == tgt.framework_id)
        .where(sfw.urn.in_({p[0] for p in pairs}), tfw.urn.in_({p[1] for p in pairs})))
    wanted = set(pairs)
    out: dict = {}
    for source_fw, target_fw, ident, s, t, r in rows:
        if (source_fw, target_fw) in wanted:
            out.setdefault((source_fw, target_fw), {})[(s, t)] = (ident, r)
    return out


def _stored_mappings(source_fw: str, target_fw: str) -> dict:
    """(source urn, target urn) -> (mapping id, relationship) of one mapping set."""
    return _stored_mapping_sets([(source_fw, target_fw)]).get((source_fw, target_fw), {})


def apply_plan(plan: CataloguePlan, actor) -> CataloguePlan:
    """Write ``plan`` (flush, no commit) and audit it."""
    now = utcnow()
    for fp in plan.frameworks:
        if fp.is_new:
            fw = Framework(urn=fp.urn, loaded_at=now, **fp.framework_values)
            db.session.add(fw)
            db.session.flush()
            fp.existing_id = fw.id
        elif fp.changes or fp.moved:
            db.session.execute(update(Framework).where(Framework.id == fp.existing_id)
                               .values(loaded_at=now, **fp.framework_values))
        fw_id = fp.existing_id
        if fp.added:
            db.session.execute(insert(Control), [
                {k: v for k, v in values.items() if k != "parent_urn"}
                | {"framework_id": fw_id, "parent_id": None, "retired_at": None}
                for values in fp.added])
        if fp.changed:
            db.session.execute(update(Control), [
                {k: v for k, v in values.items() if k not in ("parent_urn", "urn")}
                | {"id": cid, "retired_at": None} for cid, values, _ in fp.changed])
        if fp.moved:
            db.session.execute(update(Control), [{"id": cid, "sort_order": order}
                                                 for cid, order in fp.moved])
        if fp.retired:
            db.session.execute(update(Control), [{"id": cid, "retired_at": now}
                                                 for cid, _ in fp.retired])
        if fp.changes:
            record("load", "control_framework", fp.code[:40], actor,
                   summary=f"{plan.source_name}: nieuw {len(fp.added)}, gewijzigd "
                           f"{len(fp.changed)}, ingetrokken {len(fp.retired)}, ongewijzigd "
                           f"{fp.unchanged}",
                   changes={"version": fp.version, "added": len(fp.added),
                            "changed": len(fp.changed), "retired": len(fp.retired),
                            "unchanged": fp.unchanged})
    _set_parents(plan)
    for mp in plan.mapping_sets:
        if mp.changes:
            _apply_mapping_set(mp, actor, plan.source_name)
    db.session.flush()
    log.info("catalogue %s loaded: %s", plan.source_name, plan.summary())
    return plan


def _set_parents(plan: CataloguePlan) -> None:
    wanted = {}
    for fp in plan.frameworks:
        for values in fp.added:
            wanted[values["urn"]] = values["parent_urn"]
        for _, values, fields in fp.changed:
            if "parent_urn" in fields:
                wanted[values["urn"]] = values["parent_urn"]
    if not wanted:
        return
    names = set(wanted) | {p for p in wanted.values() if p}
    ids = _ids(names)
    rows = [{"id": ids[urn], "parent_id": ids.get(parent) if parent else None}
            for urn, parent in wanted.items()]
    db.session.execute(update(Control), rows)


def _ids(urns) -> dict[str, int]:
    urns, out = list(urns), {}
    for start in range(0, len(urns), 900):  # SQLite's parameter limit
        chunk = urns[start:start + 900]
        out.update(db.session.execute(select(Control.urn, Control.id)
                                      .where(Control.urn.in_(chunk))).all())
    return out


def _apply_mapping_set(mp: MappingSetPlan, actor, source_name: str) -> None:
    current = _stored_mappings(mp.source_framework, mp.target_framework)
    ids = _ids({u for pair in mp.wanted for u in pair})
    gone = [mid for pair, (mid, _) in current.items() if pair not in mp.wanted]
    if gone:
        db.session.execute(ControlMapping.__table__.delete().where(ControlMapping.id.in_(gone)))
    new_rows, changed_rows = [], []
    for pair, relationship in mp.wanted.items():
        old = current.get(pair)
        if old is None:
            new_rows.append({"source_id": ids[pair[0]], "target_id": ids[pair[1]],
                             "relation": relationship})
        elif old[1] != relationship:
            changed_rows.append({"id": old[0], "relation": relationship})
    if new_rows:  # RETURNING: multi-row INSERTs, not one statement per mapping
        db.session.execute(insert(ControlMapping).returning(ControlMapping.id), new_rows)
    if changed_rows:
        db.session.execute(update(ControlMapping), changed_rows)
    codes = dict(db.session.execute(select(Framework.urn, Framework.code).where(
        Framework.urn.in_([mp.source_framework, mp.target_framework]))).all())
    name = f"{codes.get(mp.source_framework, '?')} > {codes.get(mp.target_framework, '?')}"
    record("load", "control_mapping_set", name[:40], actor,
           summary=f"{source_name}: nieuw {mp.added}, gewijzigd {mp.changed}, "
                   f"verwijderd {mp.removed}, ongewijzigd {mp.unchanged}"[:500],
           changes={"source": mp.source_framework, "target": mp.target_framework,
                    "added": mp.added, "changed": mp.changed, "removed": mp.removed,
                    "unchanged": mp.unchanged})


def load_catalogue(data, actor, dry_run: bool = False) -> CataloguePlan:
    """Plan and (unless ``dry_run``) write a catalogue; the plan says what changed."""
    plan = plan_catalogue(data)
    if not dry_run:
        apply_plan(plan, actor)
    return plan


def read_file(filename: str, data: bytes):
    """The catalogue in ``data`` (CISO Assistant YAML library or our workbook), read by
    ``catalogue.read_catalogue``; its problems become a :class:`LoadError`."""
    from .catalogue import CatalogueError, read_catalogue
    try:
        return read_catalogue(filename, data)
    except CatalogueError as error:
        raise LoadError(list(error.problems)) from error
