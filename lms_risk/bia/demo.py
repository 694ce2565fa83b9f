"""Demo BIAs: 112-telefonie, GMS, C2000, P2000/alertering, NL-Alert and huisvesting, with their
grids, recovery targets, dependencies (some recover slower than what depends on them), BIV
classification and links to the demo risks that name their voorziening.

Loaded through the services, so they carry an audit trail. The demo feature (``lms-risk
demo-data``) has no hook through which other features add their demo data yet; until it has,
``lms-risk demo-bia`` (declared in ``bia/feature.py``) loads these into a register that has its
demo accounts.
"""

from datetime import date, timedelta

import click
from sqlalchemy import func, select

from ..auth.models import User
from ..core.uow import transactional_command
from ..extensions import db
from .config import load_bia_config
from .fields import BiaData, RowData, VersionData
from .models import Bia
from .services import (
    DependencyInput,
    add_dependency,
    approve_version,
    classify,
    create_bia,
    link_risk,
    new_version,
    update_version,
)

ALL = ["NN", "ON", "MN", "NH", "AMS", "DH", "RTD", "ZWB", "OB", "LIM"]
DISCIPLINES = ["AMB", "POL", "BRW", "KMAR", "LMS"]
# Grid rows: scores at 15 min, 1 h, 4 h, 24 h, 72 h, 1 week; then justification, estimate, unit.
BIAS = [
    {"key": "tel", "subject": "Aanname 112-meldingen (112-meldkamertelefonie)",
     "voorziening": "TEL112", "owner": "LMS, afdeling Meldkamerdiensten", "meldkamers": ALL,
     "rto": 15, "rpo": 0, "mbco": 15, "biv": (3, 2, 2),
     "mbco_text": "112-gesprekken worden aangenomen door een uitwijkmeldkamer.",
     "grid": {
         "LEVEN": ([4, 5, 5, 5, 5, 5], "Niet aangenomen 112-meldingen kosten direct levens.",
                   300, "112-meldingen per uur niet aangenomen"),
         "ORDE": ([3, 4, 5, 5, 5, 5], "Politie en brandweer niet bereikbaar voor burgers.",
                  None, ""),
         "HULPV": ([2, 3, 4, 4, 4, 4], "", None, ""),
         "BEREIK": ([5, 5, 5, 5, 5, 5], "De kern van de meldkamerfunctie.", None, ""),
         "JUR": ([1, 2, 3, 4, 4, 4], "Wettelijke taak 112 niet uitgevoerd.", None, ""),
         "BESTUUR": ([2, 3, 4, 5, 5, 5], "Kamervragen, minister aanspreekbaar.", None, ""),
         "REPUT": ([2, 4, 5, 5, 5, 5], "Landelijk nieuws binnen een uur.", None, ""),
         "FIN": ([1, 1, 2, 2, 3, 3], "", None, ""),
     },
     "deps": [("bia", "gms", None), ("supplier", "KPN (112-netwerk)", 240),
              ("location", "Uitwijkmeldkamer", 30)]},
    {"key": "gms", "subject": "GMS (Geïntegreerd Meldkamer Systeem)", "voorziening": "GMS",
     "owner": "LMS, beheer GMS", "meldkamers": ALL, "rto": 60, "rpo": 5, "mbco": 30,
     "biv": (3, 3, 2), "mbco_text": "Uitgifte op papier (terugvalprocedure) en via C2000.",
     "grid": {
         "LEVEN": ([2, 3, 4, 5, 5, 5], "Uitgifte op papier is trager; vertraging bij A1-ritten.",
                   40, "vertraagde A1-ritten per uur"),
         "ORDE": ([2, 3, 4, 4, 5, 5], "", None, ""),
         "HULPV": ([2, 3, 3, 4, 4, 4], "Minder informatie over de inzet (gevaarlijke stoffen).",
                   None, ""),
         "BEREIK": ([3, 4, 4, 5, 5, 5], "", None, ""),
         "JUR": ([1, 1, 2, 3, 3, 3], "Registratie incompleet.", None, ""),
         "BESTUUR": ([1, 2, 3, 4, 4, 5], "", None, ""),
         "REPUT": ([1, 2, 3, 4, 4, 4], "", None, ""),
         "FIN": ([1, 1, 2, 2, 3, 3], "", None, ""),
     },
     "deps": [("bia", "huis", None), ("supplier", "Leverancier GMS-applicatiebeheer", 240),
              ("person", "Functioneel beheerder GMS (piket)", 30)]},
    {"key": "c2000", "subject": "C2000-spraak", "voorziening": "C2000", "owner": "LMS, C2000",
     "meldkamers": ALL, "rto": 60, "rpo": None, "mbco": 15, "biv": (3, 2, 3),
     "mbco_text": "Terugval op de Direct Mode Operation en telefonie.",
     "grid": {
         "LEVEN": ([3, 4, 5, 5, 5, 5], "", None, ""),
         "ORDE": ([3, 4, 4, 5, 5, 5], "", None, ""),
         "HULPV": ([3, 4, 5, 5, 5, 5], "Hulpverleners onbereikbaar in gevaarlijke situaties.",
                   None, ""),
         "BEREIK": ([3, 4, 4, 5, 5, 5], "", None, ""),
         "JUR": ([1, 2, 2, 3, 3, 3], "", None, ""),
         "BESTUUR": ([2, 3, 4, 4, 5, 5], "", None, ""),
         "REPUT": ([1, 2, 3, 4, 4, 4], "", None, ""),
         "FIN": ([1, 1, 1, 2, 2, 3], "", None, ""),
     },
     "deps": [("supplier", "Netwerkbeheerder C2000", 120), ("bia", "huis", None)]},
    {"key": "p2000", "subject": "Alertering / P2000", "voorziening": "P2000",
     "owner": "LMS, alertering", "meldkamers": ALL, "rto": 30, "rpo": None, "mbco": 15,
     "biv": (3, 2, 1), "mbco_text": "Alarmeren per telefoon en via C2000-spraak.",
     "grid": {
         "LEVEN": ([3, 4, 4, 5, 5, 5], "Vrijwillige brandweer niet gealarmeerd.", 60,
                   "uitrukken per uur met vertraging"),
         "ORDE": ([2, 3, 3, 4, 4, 4], "", None, ""),
         "HULPV": ([1, 2, 3, 3, 3, 3], "", None, ""),
         "BEREIK": ([3, 4, 4, 4, 5, 5], "", None, ""),
         "JUR": ([1, 1, 2, 2, 3, 3], "", None, ""),
         "BESTUUR": ([1, 2, 3, 3, 4, 4], "", None, ""),
         "REPUT": ([1, 2, 3, 3, 4, 4], "", None, ""),
         "FIN": ([1, 1, 1, 1, 2, 2], "", None, ""),
     },
     "deps": [("bia", "gms", None), ("supplier", "Leverancier pagernetwerk", 480)]},
    {"key": "nlalert", "subject": "NL-Alert", "voorziening": "NLALERT",
     "owner": "LMS, publieksalarmering", "meldkamers": ALL, "rto": 60, "rpo": None,
     "mbco": 60, "biv": (2, 3, 1), "mbco_text": "Waarschuwen via sirenes, media en sociale media.",
     "grid": {
         "LEVEN": ([2, 3, 4, 4, 4, 4], "Inwoners niet gewaarschuwd bij een ramp.", 250000,
                   "inwoners zonder NL-Alert"),
         "ORDE": ([2, 3, 3, 4, 4, 4], "", None, ""),
         "HULPV": ([1, 1, 2, 2, 2, 2], "", None, ""),
         "BEREIK": ([1, 2, 2, 3, 3, 3], "", None, ""),
         "JUR": ([1, 1, 2, 2, 2, 2], "", None, ""),
         "BESTUUR": ([2, 3, 4, 4, 4, 4], "", None, ""),
         "REPUT": ([2, 3, 4, 4, 4, 4], "", None, ""),
         "FIN": ([1, 1, 1, 1, 1, 1], "", None, ""),
     },
     "deps": [("supplier", "Mobiele netwerkoperators (cell broadcast)", 240)]},
    {"key": "huis", "subject": "Huisvesting meldkamer Rotterdam", "voorziening": "HUIS",
     "owner": "Meldkamer Rotterdam, facilitair", "meldkamers": ["RTD"], "rto": 240,
     "rpo": None, "mbco": 30, "biv": (3, 1, 1),
     "mbco_text": "Uitwijk naar meldkamer Den Haag voor aanname en uitgifte.",
     "grid": {
         "LEVEN": ([1, 2, 3, 4, 5, 5], "Na uitwijk beperkt; zonder uitwijk ernstig.", None, ""),
         "ORDE": ([1, 2, 3, 4, 4, 5], "", None, ""),
         "HULPV": ([1, 1, 2, 3, 3, 3], "", None, ""),
         "BEREIK": ([2, 3, 4, 4, 5, 5], "Uitwijk vraagt 30 minuten.", None, ""),
         "JUR": ([1, 1, 1, 2, 2, 3], "", None, ""),
         "BESTUUR": ([1, 1, 2, 3, 4, 4], "", None, ""),
         "REPUT": ([1, 1, 2, 3, 3, 4], "", None, ""),
         "FIN": ([1, 1, 2, 3, 3, 4], "Huur noodlocatie.", 150000, "euro per week"),
     },
     "deps": [("supplier", "Netbeheerder (stroom)", 720), ("location", "Noodstroomaggregaat", 1),
              ("location", "Meldkamer Den Haag (uitwijk)", 30)]},
]


def load_demo_bias(user) -> list[Bia]:
    """Create the demo BIAs as ``user``; the first two get an approved earlier version."""
    config = load_bia_config()
    today = date.today()
    made: dict[str, Bia] = {}
    for n, item in enumerate(BIAS):
        bia = create_bia(BiaData(subject=item["subject"], voorziening=item["voorziening"],
                                 owner=item["owner"], meldkamers=sorted(item["meldkamers"]),
                                 disciplines=sorted(DISCIPLINES),
                                 next_review=today + timedelta(days=200 - 60 * n)), user)
        grid, rows = {}, {}
        for code, (values, why, quantity, unit) in item["grid"].items():
            category = config.category_by_code[code]
            for window, value in zip(config.windows, values):
                grid[(category.id, window.id)] = value
            rows[category.id] = RowData(justification=why, quantity=quantity, unit=unit)
        data = VersionData(assessment_date=today - timedelta(days=400 - 30 * n),
                           rto_minutes=item["rto"], rpo_minutes=item["rpo"],
                           mbco_minutes=item["mbco"], mbco=item["mbco_text"])
        if n < 2:
            # An earlier, approved version that judged the first quarter hour milder.
            first = config.windows[0].id
            milder = {k: max(1, v - 1) if k[1] == first else v for k, v in grid.items()}
            update_version(bia.current, VersionData(**data.__dict__), milder, rows, user,
                           config=config)
            approve_version(bia.current, user)
            new_version(bia, user)
            data.assessment_date = today - timedelta(days=30)
        update_version(bia.current, data, grid, rows, user, config=config)
        classify(bia, *item["biv"], user, reason="Eerste classificatie (demo)")
        made[item["key"]] = bia
    for item in BIAS:
        for kind, target, minutes in item["deps"]:
            if kind == "bia":
                dep = DependencyInput(kind="bia", target_bia_id=made[target].id)
            else:
                dep = DependencyInput(kind=kind, name=target, recovery_minutes=minutes)
            add_dependency(made[item["key"]], dep, user)
    _link_demo_risks(list(made.values()), user)
    db.session.flush()
    return list(made.values())


def _link_demo_risks(bias, user, per_bia: int = 4) -> None:
    """Link each demo BIA to (at most a few of) the risks that name its voorziening."""
    from ..risks.models import Risk, risk_voorziening
    for bia in bias:
        if bia.voorziening_id is None:
            continue
        risks = db.session.scalars(
            select(Risk).join(risk_voorziening, risk_voorziening.c.risk_id == Risk.id)
            .where(risk_voorziening.c.voorziening_id == bia.voorziening_id,
                   Risk.archived_at.is_(None))
            .order_by(Risk.netto_priority.desc(), Risk.code).limit(per_bia)).all()
        for risk in risks:
            link_risk(bia, risk, user)


@click.command("demo-bia")
@transactional_command
def demo_bia():
    """Load the demo BIAs (after ``lms-risk demo-data``)."""
    if db.session.scalar(select(func.count(Bia.id))):
        raise click.ClickException("the database holds BIAs already; demo BIAs not loaded")
    user = db.session.scalar(select(User).where(User.email == "voorzitter@lms-risk.local")) \
        or db.session.scalar(select(User).order_by(User.id))
    if user is None:
        raise click.ClickException("no users yet: run lms-risk demo-data first")
    bias = load_demo_bias(user)
    click.echo(f"Loaded {len(bias)} demo BIAs.")
