"""Demo continuity plans: fallback pairs between meldkamers for GMS, 112-telefonie, C2000,
alertering, huisvesting and a whole-meldkamer uitwijk, exercised over the last two years, one of
which missed its BIA's RTO and had a finding that became a risk.

Loaded through the services (so they carry an audit trail) by ``lms-risk demo-data`` after the
demo BIAs, or by ``lms-risk demo-continuity`` into a register that has its demo accounts."""

from datetime import date, timedelta

import click
from sqlalchemy import func, select

from ..auth.models import User
from ..bia.models import Bia
from ..core.uow import transactional_command
from ..extensions import db
from ..risks.models import Risk, risk_voorziening
from .fields import ExerciseData, PlanData, StepData
from .models import Plan
from .services import NewRisk, approve_plan, create_plan, finding_to_risk, link_risk, \
    record_exercise, set_plan_bia

DECIDER = "Operationeel leidinggevende meldkamer, na overleg met de calamiteitencoördinator"
STEPS = {
    "GMS": [("Storing vaststellen en uitwijk besluiten", "Calamiteitencoördinator", 10),
            ("Uitwijkmeldkamer informeren en werkplekken activeren", "Teamleider", 20),
            ("Centralisten verplaatsen of op afstand laten inloggen", "Teamleider", 40),
            ("Lopende incidenten overdragen", "Centralisten", 45)],
    "TEL112": [("Routering 112 naar de overnemende meldkamer omzetten", "KPN / LMS", 5),
               ("Bevestigen dat 112-gesprekken binnenkomen", "Calamiteitencoördinator", 10)],
    "C2000": [("Terugvallen op de noodgroepen (fall-back)", "Centralisten", 15),
              ("Uitwijk naar de partnermeldkamer voor spraak", "Teamleider", 45)],
    "P2000": [("Alertering via de partnermeldkamer", "Centralisten", 10),
              ("Handmatig alarmeren via telefoon en app", "Centralisten", 25)],
    "HUIS": [("Ontruiming en besluit uitwijk", "Calamiteitencoördinator", 15),
             ("Reizen naar de uitwijklocatie", "Alle diensten", 120),
             ("Werkplekken in gebruik nemen", "Teamleider", 240)],
    None: [("Besluit volledige uitwijk", "Directeur meldkamer", 15),
           ("Partnermeldkamer neemt alle disciplines over", "Teamleider", 60),
           ("Eigen personeel opgeschaald op de uitwijklocatie", "Teamleider", 240)],
}
# meldkamer, voorziening, fallback, kind, target, approved, exercises
# (days ago, kind, achieved minutes, result, findings)
PLANS = [
    ("RTD", "GMS", "DH", "uitwijk", 45, True,
     [(600, "tabletop", None, "geslaagd", ["Rolverdeling teamleider en CaCo onduidelijk"]),
      (95, "failover", 75, "niet_geslaagd",
       ["Inlogaccounts op de uitwijklocatie waren verlopen",
        "Kaartmateriaal (GEO) op de uitwijklocatie was niet bijgewerkt"])]),
    ("DH", "GMS", "RTD", "uitwijk", 45, True,
     [(150, "failover", 40, "geslaagd", [])]),
    ("AMS", "TEL112", "NH", "overname", 10, True,
     [(240, "failover", 12, "deels", ["Omzetten routering duurde langer dan gepland"])]),
    ("NH", "TEL112", "AMS", "overname", 10, False, []),
    ("NN", "C2000", "ON", "uitwijk", 45, True,
     [(450, "tabletop", 50, "deels", ["Noodgroepen niet bij alle centralisten bekend"])]),
    ("ON", None, "NN", "uitwijk", 240, True,
     [(660, "uitwijk", 200, "deels", ["Parkeren bij de uitwijklocatie onvoldoende"])]),
    ("ZWB", "P2000", "OB", "overname", 30, True,
     [(60, "failover", 25, "geslaagd", [])]),
    ("LIM", "HUIS", "OB", "uitwijk", 240, False, []),
    (None, "NLALERT", None, None, 60, False, []),
]


def load_demo_plans(user) -> list[Plan]:
    today = date.today()
    bias = {b.voorziening.code: b for b in db.session.scalars(select(Bia).order_by(Bia.code))
            if b.voorziening is not None}
    made = []
    for meldkamer, voorziening, fallback, kind, target, approved, exercises in PLANS:
        scope_name = voorziening or "volledige meldkamer"
        title = (f"Uitwijk {scope_name} {meldkamer}" if meldkamer
                 else f"Landelijk continuïteitsplan {scope_name}")
        plan = create_plan(PlanData(
            title=title, meldkamer=meldkamer, voorziening=voorziening,
            status="actief" if approved else "concept",
            scope=f"Continuïteit van {scope_name} bij uitval of ontruiming.",
            activation_criteria="Uitval langer dan 15 minuten, of eerder wanneer de "
                                "calamiteitencoördinator dat nodig vindt.",
            decided_by=DECIDER,
            roles="Calamiteitencoördinator (leiding), teamleider (uitvoering), "
                  "centralisten (overdracht).",
            fallback_meldkamer=fallback, fallback_kind=kind,
            manual_procedures="Werken met de papieren incidentkaart en de telefoonlijst van de "
                              "diensten tot het systeem weer werkt.",
            communication="Diensten via de calamiteitenlijn; ketenpartners en LMS via de "
                          "crisismail; publiek via de woordvoerder.",
            target_minutes=target, review_date=today + timedelta(days=120 + 30 * len(made)),
            steps=[StepData(description=d, responsible=r, target_minutes=m)
                   for d, r, m in STEPS.get(voorziening, STEPS[None])]), user)
        if voorziening in bias:
            set_plan_bia(plan, bias[voorziening], user)
        if approved:
            approve_plan(plan, user)
        for days_ago, ex_kind, achieved, result, findings in exercises:
            exercise = record_exercise(plan, ExerciseData(
                held_on=today - timedelta(days=days_ago), kind=ex_kind,
                scenario=f"Uitval van {scope_name}; de partnermeldkamer neemt over.",
                participants="Teamleiders, centralisten, calamiteitencoördinatoren van beide "
                             "meldkamers",
                achieved_minutes=achieved, result=result, findings=findings), user)
            if days_ago == 95:  # the missed RTO: its first finding became a risk
                finding_to_risk(exercise.findings[0], NewRisk(
                    title="Verlopen accounts op de uitwijklocatie vertragen de uitwijk",
                    bruto_likelihood=3, netto_likelihood=3), user)
        if voorziening:
            risks = db.session.scalars(
                select(Risk).join(risk_voorziening, risk_voorziening.c.risk_id == Risk.id)
                .where(risk_voorziening.c.voorziening_id == plan.voorziening_id)
                .order_by(Risk.code).limit(2)).all()
            for risk in risks:
                link_risk(plan, risk, user)
        made.append(plan)
    db.session.flush()
    return made


@click.command("demo-continuity")
@transactional_command
def demo_continuity():
    """Load the demo continuity plans and exercises (after ``lms-risk demo-data``)."""
    if db.session.scalar(select(func.count(Plan.id))):
        raise click.ClickException("the database holds continuity plans already; demo not loaded")
    user = db.session.scalar(select(User).where(User.email == "voorzitter@lms-risk.local")) \
        or db.session.scalar(select(User).order_by(User.id))
    if user is None:
        raise click.ClickException("no users yet: run lms-risk demo-data first")
    plans = load_demo_plans(user)
    click.echo(f"Loaded {len(plans)} demo continuity plans.")
