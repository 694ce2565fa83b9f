"""Controls cited in a risk's rationale as "[<framework code> <control reference>]", e.g.
"[BIO2 5.30.01]": readable, and plain text in a workbook cell. Declared to the risks feature as
``Feature.text_references``; a bracketed text whose first word is no framework code ("[zie
bijlage]") is no citation."""

import re
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import current_language
from ..reference.data import refdata
from ..risks.models import DisciplineImpact, Risk
from .models import Control, Framework, Implementation, RiskControl
from .scopes import Scope, all_scopes, scope_by_key

PATTERN = re.compile(r"\[(?P<framework>[A-Za-z][\w.\-]*) (?P<ref>[^\[\]\n]+?)\]")


def reference(framework_code: str, ref_id: str) -> str:
    """How a rationale cites a control."""
    return f"[{framework_code} {ref_id}]"


STATUS_ORDER = ("niet", "deels", "volledig", "nvt")


@dataclass(frozen=True)
class Cited:
    """A citation that names a control: the control (None when its framework has no such
    reference), whether it is linked to the citing risk, and its status in the risk's scopes:
    (status, codes of the scopes that have it), worst first."""

    framework: str
    control: Control | None = None
    linked: str | None = None  # the link's kind, None when not linked
    statuses: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _by_status(pairs: list[tuple[Scope, Implementation | None]]):
    """(status, scope codes) per status, worst first; no record in a scope counts as "niet"."""
    groups: dict[str, list[str]] = {}
    for scope, impl in pairs:
        key = "niet" if impl is None else impl.status if impl.applicable else "nvt"
        groups.setdefault(key, []).append(scope.code)
    return tuple((key, tuple(groups[key])) for key in STATUS_ORDER if key in groups)


def _find(references) -> dict[str, Cited]:
    """{reference: Cited} for the references whose framework code is known (any case); two
    queries. When frameworks share a code (versions loaded side by side), the current control of
    the latest loaded one is taken."""
    wanted = {}
    for text in references:
        m = PATTERN.fullmatch(text)
        if m:
            wanted[text] = (m["framework"].lower(), m["ref"])
    if not wanted:
        return {}
    codes = sorted({code for code, _ref in wanted.values()})
    known = {code.lower(): code for code in db.session.scalars(
        select(Framework.code).where(func.lower(Framework.code).in_(codes)))}
    if not known:
        return {}
    rows = db.session.execute(
        select(Control, Framework.code)
        .join(Framework, Framework.id == Control.framework_id)
        .where(func.lower(Framework.code).in_(list(known)),
               Control.ref_id.in_(sorted({ref for _code, ref in wanted.values()})))
        .order_by(Control.retired_at.is_(None), Framework.loaded_at, Control.id)).all()
    best = {(code.lower(), c.ref_id): c for c, code in rows}  # the last one wins
    return {text: Cited(known[code], best.get((code, ref)))
            for text, (code, ref) in wanted.items() if code in known}


def _links(control_ids, risk_ids) -> dict[tuple[int, int], str]:
    """{(risk id, control id): kind} of the links between these controls and these risks (one
    query; for a few risks, a control linked to thousands of others costs nothing here)."""
    risk_ids = sorted(r for r in risk_ids if r is not None)
    if not control_ids or not risk_ids:
        return {}
    query = (select(RiskControl.risk_id, RiskControl.control_id, RiskControl.kind)
             .where(RiskControl.control_id.in_(sorted(control_ids))))
    if len(risk_ids) <= 500:  # an import citing in thousands of rows reads the controls' links
        query = query.where(RiskControl.risk_id.in_(risk_ids))
    return {(r, c): kind for r, c, kind in db.session.execute(query)}


def resolve(risk, references: set[str]) -> dict[str, Cited]:
    """The risk page: each citation of a control with its link and its status in the risk's
    scopes (its voorzieningen and meldkamers; for a risk that names none, the scopes where the
    control's implementation is recorded). Four queries whatever the number of citations."""
    found = _find(references)
    ids = {c.control.id for c in found.values() if c.control is not None}
    links = _links(ids, [risk.id])
    refs = refdata()
    keys = [f"v:{v.id}" for v in risk.voorzieningen] + [f"m:{m.id}" for m in risk.meldkamers]
    impls = defaultdict(dict)
    if ids:
        query = select(Implementation).where(Implementation.control_id.in_(sorted(ids)))
        if keys:
            query = query.where(Implementation.scope_key.in_(keys))
        for impl in db.session.scalars(query):
            impls[impl.control_id][impl.scope_key] = impl
    order = {s.key: n for n, s in enumerate(all_scopes(refs, active_only=False))}
    out = {}
    for text, cited in found.items():
        control = cited.control
        if control is None:
            continue  # shown as typed
        recorded = impls[control.id]
        scopes = [scope_by_key(refs, k) for k in (keys or sorted(recorded, key=order.get))]
        out[text] = Cited(cited.framework, control, links.get((risk.id, control.id)),
                          _by_status([(s, recorded.get(s.key)) for s in scopes if s is not None]))
    return out


def refused(cited: dict[int | None, set[str]]) -> dict[tuple[int | None, str], str]:
    """The rule on save: a rationale cites only controls linked to its risk (a new risk has no
    links yet), and no reference its framework does not have. Three queries for any number of
    risks. Refused rather than linked on the fly: a link says whether the control is in place or
    planned, which a citation cannot say; linking is a right a scorer may not hold; and an
    import that made links would change more than its preview shows."""
    found = _find({text for texts in cited.values() for text in texts})
    links = _links({c.control.id for c in found.values() if c.control is not None}, cited)
    out = {}
    for risk_id, texts in cited.items():
        for text in texts:
            c = found.get(text)
            if c is None:
                continue  # not a framework's code: plain text
            if c.control is None:
                out[(risk_id, text)] = _("%(ref)s: %(framework)s heeft geen maatregel met die "
                                         "verwijzing.", ref=text, framework=c.framework)
            elif (risk_id, c.control.id) not in links:
                out[(risk_id, text)] = _(
                    "%(ref)s is niet aan dit risico gekoppeld: koppel de maatregel eerst (op zijn "
                    "pagina) of haal de verwijzing weg.", ref=text)
    return out


def offer(risk) -> list[tuple[str, str]]:
    """The controls linked to ``risk``, as the form offers them for citing (one query)."""
    lang = current_language()
    rows = db.session.execute(
        select(Control, Framework.code)
        .join(RiskControl, RiskControl.control_id == Control.id)
        .join(Framework, Framework.id == Control.framework_id)
        .where(RiskControl.risk_id == risk.id, Control.ref_id.is_not(None))
        .order_by(Framework.code, Control.sort_order)).all()
    return [(reference(code, c.ref_id), c.title(lang)) for c, code in rows]


def citing_risks(control: Control) -> list[tuple[Risk, list[str]]]:
    """The risks linked to ``control`` whose rationale cites it, with the codes of the
    disciplines whose rationale does, most urgent first (one query). Only linked risks are
    searched: a citation is saved only with the link (:func:`refused`), so this reads the
    rationales of a control's few risks, not the whole register's; a risk unlinked after citing
    shows its citation as not linked on its own page."""
    if not control.ref_id:
        return []
    text = reference(control.framework.code, control.ref_id)
    rows = db.session.execute(
        select(Risk, DisciplineImpact.discipline_id, DisciplineImpact.rationale)
        .join(RiskControl, (RiskControl.risk_id == Risk.id)
              & (RiskControl.control_id == control.id))
        .join(DisciplineImpact, DisciplineImpact.risk_id == Risk.id)
        .where(DisciplineImpact.rationale.icontains(text, autoescape=True),
               Risk.archived_at.is_(None))
        .order_by(Risk.netto_priority.desc(), Risk.code, DisciplineImpact.discipline_id)).all()
    disciplines = refdata().disciplines.by_id
    found: dict[int, tuple[Risk, list[str]]] = {}
    for risk, discipline_id, rationale in rows:
        if any(m.group(0).lower() == text.lower() for m in PATTERN.finditer(rationale)):
            found.setdefault(risk.id, (risk, []))[1].append(disciplines[discipline_id].code)
    return list(found.values())
