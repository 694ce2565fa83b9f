"""Demo controls: the NIS2 Article 21(2) measures and the Article 23 reporting deadlines (EU law;
short titles in our own words), a small BIO-style sample with BBN levels (neutral titles of our
own, no copied catalogue text), mappings between them, implementation statuses for the
voorzieningen and links to demo risks. Loaded through the services, so they carry an audit
trail; ``FEATURE.demo`` runs it after the demo register and BIAs."""

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..reference.data import refdata
from ..risks.models import Risk
from ..risks.services import risk_values, update_risk
from .catalogue import CatalogueData, CatalogueError, ControlNode, FrameworkData, MappingData, \
    read_catalogue
from .loading import load_catalogue
from .models import Control
from .scopes import scope_by_param, scope_levels
from .services import ImplementationData, link_risk, set_implementation, set_scope_level

NIS2 = "urn:lms-risk:nis2"  # the urns of imports/nis2-artikel-21.yaml
NIS2_FRAMEWORK = "urn:lms-risk:framework:nis2"
SHIPPED_NIS2 = Path(__file__).resolve().parents[2] / "imports" / "nis2-artikel-21.yaml"
BIO = "urn:lms-risk:demo:bio-voorbeeld"

NIS2_MEASURES = [  # letter, Dutch, English
    ("a", "Beleid voor risicoanalyse en beveiliging van informatiesystemen",
     "Policies on risk analysis and information system security"),
    ("b", "Incidentenbehandeling", "Incident handling"),
    ("c", "Bedrijfscontinuïteit: back-ups, herstel na een ramp en crisisbeheer",
     "Business continuity: backups, disaster recovery and crisis management"),
    ("d", "Beveiliging van de toeleveringsketen", "Supply chain security"),
    ("e", "Beveiliging bij aanschaf, ontwikkeling en onderhoud, met omgang met kwetsbaarheden",
     "Security in acquisition, development and maintenance, with vulnerability handling"),
    ("f", "Beoordelen of de maatregelen werken", "Assessing whether the measures are effective"),
    ("g", "Basis-cyberhygiëne en opleiding", "Basic cyber hygiene and training"),
    ("h", "Cryptografie en versleuteling", "Cryptography and encryption"),
    ("i", "Personeelsbeveiliging, toegangsbeleid en beheer van bedrijfsmiddelen",
     "Human resources security, access control and asset management"),
    ("j", "Meerfactorauthenticatie en beveiligde (nood)communicatie",
     "Multi-factor authentication and secured (emergency) communications"),
]
NIS2_REPORTING = [
    ("23(4)(a)", "Vroegtijdige waarschuwing binnen 24 uur", "Early warning within 24 hours"),
    ("23(4)(b)", "Incidentmelding binnen 72 uur", "Incident notification within 72 hours"),
    ("23(4)(d)", "Eindverslag binnen één maand", "Final report within one month"),
]
# ref, Dutch title, English title, BBN level, tag, NIS2 letter it maps to
BIO_SAMPLE = [
    ("V-01", "Toegangsrechten periodiek herzien", "Review access rights periodically", 1,
     "basishygiene", "i"),
    ("V-02", "Beveiligingsupdates tijdig installeren", "Install security updates on time", 1,
     "basishygiene", "e"),
    ("V-03", "Back-ups maken en het terugzetten testen", "Make backups and test restoring", 1,
     "basishygiene", "c"),
    ("V-04", "Medewerkers jaarlijks bewust maken van beveiliging",
     "Yearly security awareness for staff", 1, "basishygiene", "g"),
    ("V-05", "Beheeractiviteiten vastleggen en bewaken", "Log and monitor administration", 2,
     "ketenhygiene", "b"),
    ("V-06", "Meerfactorauthenticatie voor beheer op afstand",
     "Multi-factor authentication for remote administration", 2, "basishygiene", "j"),
    ("V-07", "Beveiligingseisen in contracten met leveranciers",
     "Security requirements in supplier contracts", 2, "ketenhygiene", "d"),
    ("V-08", "Verbindingen tussen locaties versleutelen", "Encrypt links between sites", 2,
     "", "h"),
    ("V-09", "Netwerk in zones scheiden", "Separate the network into zones", 2, "", "a"),
    ("V-10", "Uitwijk naar een andere meldkamer jaarlijks beproeven",
     "Test fallback to another dispatch centre yearly", 3, "overheidsrisico", "c"),
    ("V-11", "Onafhankelijke toets van de maatregelen", "Independent review of the measures", 3,
     "overheidsrisico", "f"),
    ("V-12", "Incidenten melden en opvolgen in de keten", "Report and follow up incidents in the chain",
     3, "ketenhygiene", "b"),
]
# voorziening -> statuses for V-01..V-12 (v volledig, d deels, n niet, - not applicable)
STATUSES = {"GMS": "vvvdvdvdnnd-", "C2000": "vvdvvdnvdn--", "NLALERT": "vdvvdnnvd---",
            "TEL112": "vvvvdvdvvdnv", "P2000": "vdndnnd-dnn-"}
CODE = {"v": "volledig", "d": "deels", "n": "niet"}
RISK_LINKS = [(1, "V-03", "existing"), (1, "V-10", "planned"), (2, "V-08", "existing"),
              (3, "V-06", "planned"), (4, "V-07", "planned"), (5, "V-02", "existing"),
              (6, "V-05", "planned"), (7, "V-12", "planned"), (8, "V-09", "existing")]


def demo_catalogue():
    def node(urn, ref, title_nl, title_en, order, parent=None, assessable=True, bbn=None,
             tags=()):
        return ControlNode(urn=urn, ref_id=ref, parent_urn=parent, order=order,
                           depth=2 if parent else 1, title_nl=title_nl, title_en=title_en,
                           description_nl="", description_en="", assessable=assessable,
                           bbn_level=bbn, tags=tuple(tags))

    nis2 = [node(f"{NIS2}:21(2)", "21(2)", "Maatregelen voor het beheer van cyberrisico's",
                 "Cybersecurity risk-management measures", 0, assessable=False)]
    nis2 += [node(f"{NIS2}:21(2)({letter})", f"21(2)({letter})", nl, en, i + 1,
                  parent=f"{NIS2}:21(2)") for i, (letter, nl, en) in enumerate(NIS2_MEASURES)]
    nis2.append(node(f"{NIS2}:23(4)", "23(4)", "Meldingsplichten", "Reporting obligations", 20,
                     assessable=False))
    nis2 += [node(f"{NIS2}:{ref}", ref, nl, en, 21 + i, parent=f"{NIS2}:23(4)")
             for i, (ref, nl, en) in enumerate(NIS2_REPORTING)]
    bio = [node(f"{BIO}:{ref}", ref, nl, en, i, bbn=bbn, tags=[tag] if tag else [])
           for i, (ref, nl, en, bbn, tag, _) in enumerate(BIO_SAMPLE)]
    frameworks = (
        FrameworkData(urn=NIS2_FRAMEWORK, code="NIS2", name_nl="NIS2 artikel 21(2) en 23",
                      name_en="NIS2 Article 21(2) and 23", version="2022/2555",
                      published=date(2022, 12, 27), provider="EU",
                      copyright="Richtlijn (EU) 2022/2555; titels in eigen woorden",
                      source="lms-risk demo", controls=tuple(nis2)),
        FrameworkData(urn=BIO, code="bio-voorbeeld", name_nl="BIO-achtig voorbeeld (demo)",
                      name_en="BIO-style sample (demo)", version="1", published=None,
                      provider="lms-risk", copyright="eigen voorbeeld, geen BIO-tekst",
                      source="lms-risk demo", controls=tuple(bio)),
    )
    mappings = tuple(MappingData(source_urn=f"{BIO}:{ref}", target_urn=f"{NIS2}:21(2)({letter})",
                                 relationship="intersect")
                     for ref, *_, letter in BIO_SAMPLE)
    shipped = _shipped_nis2()
    if shipped is not None:
        frameworks = (*shipped.frameworks, frameworks[1])
    return CatalogueData(frameworks=frameworks, mappings=mappings, source_name="demo")


def _shipped_nis2():
    """The NIS2 catalogue in imports/ (its texts are fuller than the titles above), when this
    is a checkout that has it."""
    if not SHIPPED_NIS2.exists():
        return None
    try:
        return read_catalogue(SHIPPED_NIS2.name, SHIPPED_NIS2.read_bytes())
    except CatalogueError:
        return None


def load_demo_controls(user) -> int:
    """Load the demo catalogue, statuses, BBN levels and risk links as ``user``."""
    load_catalogue(demo_catalogue(), user)
    refs = refdata()
    controls = {c.ref_id: c for c in db.session.scalars(
        select(Control).where(Control.urn.like(f"{BIO}:%")))}
    today = date.today()
    made = 0
    for code, pattern in STATUSES.items():
        scope = scope_by_param(refs, f"voorziening:{code}")
        if scope is None:
            continue
        for n, (ref, *_rest) in enumerate(BIO_SAMPLE):
            mark = pattern[n]
            data = ImplementationData(
                applicable=mark != "-", status=CODE.get(mark, "niet"),
                reason="Geen eigen beheer op deze voorziening" if mark == "-" else "",
                owner=f"Beheer {scope.code}", evidence="Jaarlijkse audit" if mark == "v" else "",
                last_checked=today - timedelta(days=30 + 11 * n) if mark in "vd" else None,
                next_check=today + timedelta(days=200 - 23 * n))
            set_implementation(controls[ref], scope, data, user)
            made += 1
    levels = scope_levels()
    for code, level in (("NLALERT", 2), ("P2000", 1)):
        scope = scope_by_param(refs, f"voorziening:{code}")
        if scope is not None and scope.key not in levels:
            set_scope_level(scope, level, user, reason="Demo: met de hand gezet")
    rtd = scope_by_param(refs, "meldkamer:RTD")
    if rtd is not None:
        set_scope_level(rtd, 2, user, reason="Demo")
        for ref in ("V-01", "V-02", "V-04", "V-06"):
            set_implementation(controls[ref], rtd, ImplementationData(status="volledig",
                                                                      owner="CaCo Rotterdam"),
                               user)
    risks = {r.code: r for r in db.session.scalars(select(Risk).order_by(Risk.id).limit(20))}
    ordered = list(risks.values())
    for index, ref, kind in RISK_LINKS:
        if index <= len(ordered):
            link_risk(ordered[index - 1], controls[ref], kind, user)
    if ordered:
        _cite_in_rationale(ordered[0], "V-03", user)
    db.session.flush()
    return made


def _cite_in_rationale(risk: Risk, ref: str, user) -> None:
    """The first applicable discipline's netto rationale cites a control linked to the risk, as a
    member would write it, so that the demo shows a citation on the risk page and the control's."""
    refs = refdata()
    data = risk_values(risk, refs)
    impact = next((i for i in data.impacts.values() if i.applies), None)
    if impact is None:
        return
    citation = f"[bio-voorbeeld {ref}]"
    impact.rationale = (f"{impact.rationale} Netto lager door {citation}.".strip()
                        if citation not in impact.rationale else impact.rationale)
    update_risk(risk, data, user, expected_version=risk.version, refs=refs,
                reason="Demo: onderbouwing verwijst naar de maatregel")
