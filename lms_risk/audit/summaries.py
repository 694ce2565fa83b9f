"""Audit summaries stored as a code with parameters and shown in the reader's language.

A service records ``coded("password_changed")`` or ``coded("role", role="member", scope="POL")``;
the trail renders it through gettext when it is read, so a Dutch reader sees Dutch and an English
reader English. Free text (a risk's title, a reason) is stored as it is and shown as it is. Events
recorded before this (English or Dutch text such as "password changed", "role=member
discipline=POL", "new=0 changed=2 …") are recognised and rendered the same way.
"""

import json
import re

from flask_babel import gettext as _
from flask_babel import ngettext

MARK = "§"  # a coded summary starts with it; no free text recorded by the app does


def coded(code: str, **params) -> str:
    return MARK + json.dumps({"code": code, "params": params}, sort_keys=True, ensure_ascii=False)


def _role(params) -> str:
    from ..auth.models import role_label
    role = role_label(params.get("role", ""))
    scope = params.get("scope")
    return _("rol %(role)s, %(scope)s", role=role, scope=scope) if scope else \
        _("rol %(role)s", role=role)


def _import(params) -> str:
    return _("nieuw: %(new)s · gewijzigd: %(changed)s · ongewijzigd: %(unchanged)s · "
             "conflicten: %(conflicts)s · fouten: %(errors)s",
             **{k: params.get(k, 0) for k in ("new", "changed", "unchanged", "conflicts",
                                              "errors")})


def _export(params) -> str:
    text = ngettext("%(num)s risico", "%(num)s risico’s", params.get("risks", 0))
    filters = params.get("filters") or ""
    return f"{text}; {filters}" if filters else text


RENDER = {
    "password_changed": lambda p: _("wachtwoord gewijzigd"),
    "role": _role,
    "import": _import,
    "export": _export,
    "matrix_changed": lambda p: _("risicomatrix gewijzigd"),
}

# Summaries recorded as text before they were coded: (pattern, code, params from the match).
LEGACY = [
    (re.compile(r"password changed"), "password_changed", lambda m: {}),
    (re.compile(r"role=(\w+)(?: (?:discipline|meldkamer)=(\S+))?"), "role",
     lambda m: {"role": m[1], "scope": m[2]}),
    (re.compile(r"new=(\d+) changed=(\d+) unchanged=(\d+) conflicts=(\d+) errors=(\d+)"),
     "import", lambda m: dict(zip(("new", "changed", "unchanged", "conflicts", "errors"),
                                  map(int, m.groups())))),
    (re.compile(r"(\d+) risico's(?:; (.*))?", re.S), "export",
     lambda m: {"risks": int(m[1]), "filters": m[2] or ""}),
    (re.compile(r"risicomatrix gewijzigd"), "matrix_changed", lambda m: {}),
]


def show_summary(text: str | None, entity_type: str | None = None) -> str:
    """A stored summary in the reader's language."""
    if not text:
        return ""
    if text.startswith(MARK):
        try:
            data = json.loads(text[len(MARK):])
            return RENDER[data["code"]](data.get("params") or {})
        except (ValueError, KeyError, TypeError):
            return text
    if entity_type in (None, "user", "register", "matrix"):
        for pattern, code, params in LEGACY:
            match = pattern.fullmatch(text)
            if match:
                return RENDER[code](params(match))
    return text
