"""Every model, imported once so that SQLAlchemy and Alembic see all tables."""

from .audit.models import AuditEvent
from .auth.models import User
from .matrix.models import ImpactClass, ImpactDescription, LikelihoodClass, MatrixCell, RiskLevel
from .reference.models import Category, Discipline, Meldkamer, Voorziening
from .risks.models import DisciplineImpact, Risk, ScoreChange

__all__ = [
    "AuditEvent", "Category", "Discipline", "DisciplineImpact", "ImpactClass", "ImpactDescription",
    "LikelihoodClass", "MatrixCell", "Meldkamer", "Risk", "RiskLevel", "ScoreChange", "User",
    "Voorziening",
]
