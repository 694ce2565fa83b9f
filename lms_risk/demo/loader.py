"""Loads the demo register (demo/risks_nl.py) and demo accounts through the normal services."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select, update

from ..auth.models import User
from ..auth.services import add_assignment, create_user
from ..core.features import registry
from ..extensions import db
from ..matrix.models import RiskLevel
from ..risks.models import Risk, ScoreChange
from ..reference.data import refdata
from ..risks.fields import ImpactData, RiskData
from ..risks.services import create_risk
from ..timeutil import utcnow
from .register_nl import RISKS

DEMO_ACCOUNTS = (
    ("admin@lms-risk.local", "admin", None, "Ruud Bakker"),
    ("voorzitter@lms-risk.local", "chair", None, "Marieke van Dijk"),
    ("amb@lms-risk.local", "member", "AMB", "Sanne de Boer"),
    ("pol@lms-risk.local", "member", "POL", "Youssef El Amrani"),
    ("brw@lms-risk.local", "member", "BRW", "Henk Visser"),
    ("kmar@lms-risk.local", "member", "KMAR", "Erik de Groot"),
    ("lms@lms-risk.local", "member", "LMS", "Linda Hoekstra"),
    ("lezer@lms-risk.local", "viewer", None, "Fleur Jansen"),
    ("auditor@lms-risk.local", "auditor", None, "Pieter Mulder (Inspectie JenV)"),
    ("rotterdam@lms-risk.local", "member", "POL", "Naima Bouzid"),
)
# Further roles of a demo account: (role, discipline, meldkamer). Naima Bouzid also sits on the
# board for POL and is the continuity coordinator of meldkamer Rotterdam.
DEMO_MORE_ROLES = {
    "rotterdam@lms-risk.local": [("continuity", None, "RTD")],
}
# The interval between reviews by level (the board's cycle is four months).
REVIEW_DAYS = {"zeer_hoog": 30, "hoog": 120, "midden": 180, "laag": 365}


class DemoDataExists(Exception):
    pass


@dataclass
class DemoResult:
    risks: int
    changes: int
    password: str
    accounts: list[tuple[str, str]]


def load_demo_data() -> DemoResult:
    if db.session.scalar(select(func.count(Risk.id))) or db.session.scalar(select(func.count(User.id))):
        raise DemoDataExists()
    password = secrets.token_urlsafe(12)
    users = {}
    for email, role, discipline, name in DEMO_ACCOUNTS:
        users[email] = create_user(email, password, role, discipline_code=discipline, name=name,
                                   must_change_password=True)
        for more_role, more_discipline, meldkamer in DEMO_MORE_ROLES.get(email, ()):
            add_assignment(users[email], more_role, discipline_code=more_discipline,
                           meldkamer_code=meldkamer)
    chair = users["voorzitter@lms-risk.local"]
    refs = refdata()
    levels = {lvl.code: lvl for lvl in db.session.scalars(select(RiskLevel))}
    levels_by_id = {lvl.id: lvl for lvl in levels.values()}
    today = date.today()
    changes = 0
    dates = []  # when each risk was registered and last changed: before and at its history
    for number, item in enumerate(RISKS, 1):
        bruto, netto = item["bruto"]
        data = RiskData(
            title=item["title"], description=item["description"], cause=item["cause"],
            consequence=item["consequence"], category=item["category"], owner=item["owner"],
            status=item["status"], meldkamers=item["meldkamers"],
            voorzieningen=item["voorzieningen"], bruto_likelihood=bruto, netto_likelihood=netto,
            target_level=item.get("target"),
            impacts={code: ImpactData(applies=True, bruto_impact=b, netto_impact=n, rationale=why)
                     for code, (b, n, why) in item["impacts"].items()},
        )
        risk = create_risk(data, chair, refs=refs)
        level = levels_by_id.get(risk.netto_level_id)
        if level and risk.status != "gesloten":
            # Spread the reviews so that some are overdue, as on a real board's agenda.
            risk.next_review = today + timedelta(days=REVIEW_DAYS[level.code] - (number * 17) % 150)
        history = item.get("history", [])
        # The risk was registered before its oldest score change, as in a real register.
        oldest = max((entry[0] for entry in history), default=0)
        dates.append({"risk_id": risk.id,
                      "created": utcnow() - timedelta(days=oldest + 30 + (number * 7) % 60),
                      "updated": utcnow() - timedelta(days=min(e[0] for e in history))
                      if history else utcnow()})
        for days_ago, code, field, old, new, reason in history:
            discipline = refs.disciplines.by_code[code] if code else None
            risk.score_changes.append(ScoreChange(
                discipline_id=discipline.id if discipline else None, field=field,
                old_value=str(old), new_value=str(new), reason=reason, user_id=chair.id,
                changed_at=utcnow() - timedelta(days=days_ago)))
            changes += 1
    db.session.flush()
    # A Core update: setting the dates leaves each risk at version 1.
    table = Risk.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("risk_id"))
                       .values(created_at=bindparam("created"), updated_at=bindparam("updated")),
                       dates)
    db.session.expire_all()
    for add_demo in registry().demos:  # what other features show in the demo (BIAs, …)
        add_demo(chair)
    return DemoResult(risks=len(RISKS), changes=changes, password=password,
                      accounts=[(email, _roles(users[email])) for email, *_ in DEMO_ACCOUNTS])


def _roles(user: User) -> str:
    """'member POL, continuity RTD'."""
    return ", ".join(f"{a.role} {a.scope_code}" if a.scope_code else a.role
                     for a in user.assignments)
