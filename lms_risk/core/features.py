"""What a feature adds to the house, declared once in its own package.

Every feature package (``lms_risk/<name>/``) has a ``feature.py`` with one :class:`Feature`
named ``FEATURE``. :func:`discover` finds them; ``create_app`` builds the app from them: their
blueprints, menu entries, command-line commands, audit entity types, workbook sheets, panels on
the risk page, what a risk's rationale may cite, permission functions and template helpers.
Nothing central names a feature, so a new one is a new folder (and its migration), nothing else.
"""

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Flask, current_app


def always(_user) -> bool:
    return True


@dataclass(frozen=True)
class MenuEntry:
    """A link in the main menu. ``visible(user)`` decides who sees it; ``active`` names the
    blueprints or endpoints under which it is highlighted (default: its own endpoint)."""

    endpoint: str
    label: Any  # a lazy gettext string
    visible: Callable[[Any], bool] = always
    order: int = 100
    active: tuple[str, ...] = ()
    args: Mapping[str, Any] = field(default_factory=dict)  # url_for arguments

    def is_active(self, endpoint: str | None, blueprint: str | None) -> bool:
        names = self.active or (self.endpoint,)
        return endpoint in names or blueprint in names


@dataclass(frozen=True)
class EntityType:
    """A kind of object that the audit trail records (``AuditEvent.entity_type``).

    ``url(entity_id)`` links an event to its object (None when it has no page, or it is gone);
    ``field_label(key)`` names a recorded field; ``show(key, value)`` turns a recorded value into
    what a reader understands (names rather than ids)."""

    key: str
    label: Any
    url: Callable[[str], str | None] | None = None
    field_label: Callable[[str], str] | None = None
    show: Callable[[str, Any], Any] | None = None


@dataclass(frozen=True)
class RiskPanel:
    """A section of the risk page. ``context(risk, user)`` returns what its template needs (or
    None to leave the panel out for this risk or user); the template gets ``risk`` and ``panel``
    too."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict | None] = lambda risk, user: {}
    order: int = 100


@dataclass(frozen=True)
class TextReferences:
    """Citations of a feature's objects in a risk's rationale (per discipline, why the netto
    score is what it is): "[BIO2 5.30.01]" for a control. The risks feature finds, shows, offers
    and checks them through these, without knowing whose objects they are.

    ``pattern`` matches one citation; its whole match is the reference as written (and kept: the
    text is stored and exported as typed). ``resolve(risk, references)`` gives {reference: what
    ``template`` shows, as ``ref``} for the risk page, in a few queries whatever their number; a
    reference it does not know is left out and shown as plain text. ``refused(cited)`` is the
    rule on save: ``cited`` maps a risk id (None for a new risk) to the references that its
    changed rationales cite; it returns {(risk id, reference): why it may not be cited}, in a few
    queries for any number of risks (the import). ``offer(risk)`` lists (reference as to write
    it, label) of what the form offers for citing, under the heading ``label``."""

    key: str
    label: Any
    pattern: re.Pattern
    resolve: Callable[[Any, set[str]], Mapping[str, Any]]
    template: str
    refused: Callable[[Mapping[int | None, set[str]]], Mapping[tuple[int | None, str], str]]
    offer: Callable[[Any], Sequence[tuple[str, str]]] = lambda risk: ()


@dataclass
class Feature:
    name: str
    blueprint: Blueprint | None = None
    menu: Sequence[MenuEntry] = ()
    admin_links: Sequence[MenuEntry] = ()  # on the administration start page
    commands: Sequence[Any] = ()  # click commands and groups, added to ``lms-risk``
    entities: Sequence[EntityType] = ()
    actions: Mapping[str, Any] = field(default_factory=dict)  # audit action -> label
    sheets: Sequence[Any] = ()  # lms_risk.excel.workbook.SheetSpec, in workbook order
    risk_panels: Sequence[RiskPanel] = ()
    text_references: Sequence[TextReferences] = ()  # what a risk's rationale may cite
    permissions: Mapping[str, Callable] = field(default_factory=dict)  # ``perm.<name>`` in templates
    template_globals: Mapping[str, Any] = field(default_factory=dict)
    public_endpoints: Sequence[str] = ()  # reachable without signing in
    setup: Callable[[Flask], None] | None = None  # anything else the feature wires into the app
    demo: Callable[[Any], Any] | None = None  # adds demo data, acting as the given (chair) user
    order: int = 100  # features are assembled (and their sheets and panels ordered) by this


class Registry:
    """The features of one app, and what they declare, gathered once."""

    def __init__(self, features: Sequence[Feature]):
        names = [f.name for f in features]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"features declared twice: {', '.join(sorted(duplicates))}")
        self.features = sorted(features, key=lambda f: (f.order, f.name))
        self.menu = sorted((m for f in self.features for m in f.menu), key=lambda m: m.order)
        self.admin_links = sorted((m for f in self.features for m in f.admin_links),
                                  key=lambda m: m.order)
        self.entities = {e.key: e for f in self.features for e in f.entities}
        self.actions = {k: v for f in self.features for k, v in f.actions.items()}
        self.sheets = sorted((s for f in self.features for s in f.sheets),
                             key=lambda s: getattr(s, "order", 100))
        self.risk_panels = sorted((p for f in self.features for p in f.risk_panels),
                                  key=lambda p: p.order)
        self.text_references = [r for f in self.features for r in f.text_references]
        self.public_endpoints = {e for f in self.features for e in f.public_endpoints}
        self.demos = [f.demo for f in self.features if f.demo is not None]
        permissions: dict[str, Callable] = {}
        for f in self.features:
            for name, check in f.permissions.items():
                if name in permissions and permissions[name] is not check:
                    raise ValueError(f"permission {name!r} declared by two features")
                permissions[name] = check
        self.permissions = SimpleNamespace(**permissions)

    def entity(self, key: str) -> EntityType | None:
        return self.entities.get(key)


def discover(package: str = "lms_risk") -> list[Feature]:
    """``FEATURE`` of every ``<package>.<name>.feature`` module."""
    root = importlib.import_module(package)
    found = []
    for info in pkgutil.iter_modules(root.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"{package}.{info.name}.feature")
        except ModuleNotFoundError as error:
            if error.name != f"{package}.{info.name}.feature":
                raise
            continue
        found.append(module.FEATURE)
    return found


def install(app: Flask, features: Sequence[Feature]) -> Registry:
    """Wire every feature into ``app``."""
    registry = Registry(features)
    app.extensions["lms_risk_features"] = registry
    for feature in registry.features:
        if feature.blueprint is not None:
            app.register_blueprint(feature.blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
        app.jinja_env.globals.update(feature.template_globals)
        if feature.setup is not None:
            feature.setup(app)
    app.jinja_env.globals["perm"] = registry.permissions
    return registry


def registry() -> Registry:
    return current_app.extensions["lms_risk_features"]
