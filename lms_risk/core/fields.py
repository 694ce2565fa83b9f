"""One description of an entity's fields, from which everything else about them is derived.

A :class:`Field` says what a field is called (on screen, in the audit trail, as a Dutch and an
English column header), what kind of value it holds, its limits and, for codes, which reference
list they come from. :class:`FieldSet` derives from a list of them: the service's data class, the
assignment to a model, the audit snapshot and how its values read, the WTForms fields, the form's
initial values and the data read back from it, and each cell's parser and formatter for Excel.

Adding a field to an entity is: its line in the entity's field list, a migration, and at most a
template line where the page shows it.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, make_dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..extensions import db
from ..i18n import current_language, localized

# One text limit and one text cleaning for every path (form, import, API): the longest text a
# spreadsheet cell holds, and no control characters but tab and line breaks.
MAX_TEXT = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
FALSE = {"nee", "n", "no", "false", "onwaar", "0", ""}
_MISSING = object()


def normalise(value) -> str:
    """For matching names and headers: single spaces, case-insensitive."""
    return " ".join(str(value if value is not None else "").split()).casefold()


def clean_text(value: str) -> str:
    """Line breaks as ``\\n``, composed Unicode; raises ValueError on other control characters."""
    if value.isascii() and value.isprintable():
        return value  # the usual cell: nothing to compose, no line break, no control character
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(value):
        raise ValueError(_("de tekst bevat onzichtbare stuurtekens"))
    return value


@dataclass(frozen=True)
class Field:
    name: str  # attribute of the data class, audit key and form field name
    label: Any  # lazy gettext, Dutch source: form label and audit trail
    header: str  # Excel column header (Dutch, as exported)
    header_en: str  # English alias accepted on import
    kind: str = "text"  # text, longtext, int, date, bool, choice, ref, refs
    required: bool = False
    max_length: int | None = None
    ref: str | None = None  # refdata list ("categories", "meldkamers", …) or "levels"
    scale: str | None = None  # refdata scale whose values an int takes ("likelihoods", "impacts")
    choices: Mapping[str, Any] | None = None  # code -> label, for kind "choice"
    model_attr: str | None = None  # the model's attribute when it differs (category -> category_id)
    model_class: type | None = None  # for "refs": the related ORM class
    default: Any = None
    score: bool = False  # a score: each change goes into the score history
    form: bool = True  # part of the edit form
    width: int = 14  # Excel column width
    wrap: bool = False
    description: Any = None  # help text under the form field

    # --- values -------------------------------------------------------------------------------

    @property
    def attr(self) -> str:
        return self.model_attr or self.name

    def empty(self):
        if self.default is not None:
            return self.default
        return [] if self.kind == "refs" else "" if self.kind in ("text", "longtext") else None

    def clean(self, value):
        """The value as the register keeps it; ValueError with a message when it cannot be."""
        if self.kind in ("text", "longtext"):
            value = "" if value is None else str(value)
            value = clean_text(value.strip() if self.kind == "text" else value)
            limit = self.max_length or MAX_TEXT
            if len(value) > limit:
                raise ValueError(_("te lang: %(n)s tekens, hoogstens %(max)s", n=len(value),
                                   max=limit))
            if self.required and not value.strip():
                raise ValueError(_("vul dit veld in"))
            return value
        if self.required and value in (None, "", []):
            raise ValueError(_("vul dit veld in"))
        return value

    def to_model(self, obj, value, refs) -> None:
        """Set ``value`` on ``obj`` (only when it differs: an equal assignment still dirties it)."""
        if self.kind == "ref":
            item = _ref_item(refs, self.ref, value)
            new = item.id if item else None
        elif self.kind == "refs":
            wanted = [_ref_item(refs, self.ref, code) for code in value or ()]
            current = getattr(obj, self.attr)
            if {i.id for i in current} != {i.id for i in wanted}:
                from_db = self.model_class
                setattr(obj, self.attr, [obj_session_get(from_db, i.id) for i in wanted])
            return
        else:
            new = value
        if getattr(obj, self.attr) != new:
            setattr(obj, self.attr, new)

    def from_model(self, obj, refs):
        value = getattr(obj, self.attr)
        if self.kind == "ref":
            item = _ref_item_by_id(refs, self.ref, value)
            return item.code if item else None
        if self.kind == "refs":
            return sorted(i.code for i in value)
        return value

    def snapshot(self, value):
        """JSON-safe, as the audit trail stores it (codes, ISO dates)."""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return sorted(value)
        return value

    def show(self, value, refs):
        """A stored or snapshot value as a reader understands it: names, not codes or ids."""
        if value in (None, "", []):
            return value
        if self.kind == "choice":
            return str(self.choices.get(value, value))
        if self.kind == "ref":
            item = _ref_item(refs, self.ref, value, missing=None)
            return localized(item) if item else value
        if self.kind == "refs":
            return [localized(_ref_item(refs, self.ref, c, missing=None)) or c for c in value]
        return value

    # --- the form -----------------------------------------------------------------------------

    def form_field(self, refs, keep=()):
        validators = [DataRequired()] if self.required else [Optional()]
        if self.kind in ("text", "longtext"):
            validators.append(Length(max=self.max_length or MAX_TEXT))
            cls = StringField if self.kind == "text" else TextAreaField
            return cls(self.label, validators=validators, description=self.description)
        if self.kind == "date":
            return DateField(self.label, validators=validators, description=self.description)
        if self.kind == "bool":
            return BooleanField(self.label, description=self.description)
        if self.kind == "refs":
            return SelectMultipleField(self.label, choices=self.form_choices(refs, keep),
                                       validators=[Optional()], description=self.description)
        coerce = _optional_int if self.kind == "int" else _optional_str
        return SelectField(self.label, choices=self.form_choices(refs, keep), coerce=coerce,
                           validators=validators, description=self.description)

    def form_choices(self, refs, keep=()) -> list:
        return [SelectChoice(value, label) for value, label in self._choices(refs, keep)]

    def _choices(self, refs, keep) -> list:
        if self.kind == "choice":
            return [(code, str(label)) for code, label in self.choices.items()]
        if self.kind == "int" and self.scale:
            options = [(c.value, f"{c.value} – {localized(c, 'label')}")
                       for c in getattr(refs, self.scale)]
            return options if self.required else [("", "–")] + options
        if self.ref == "levels":
            options = [(lvl.code, localized(lvl)) for lvl in refs.levels]
        else:
            options = [(i.code, localized(i)) for i in refs.list(self.ref).choices(keep)]
        return options if self.kind == "refs" else [("", "–")] + options

    # --- Excel --------------------------------------------------------------------------------

    def cell(self, value, refs):
        """The value as the workbook shows it (Dutch names for codes, ja/nee)."""
        if value in (None, "", []):
            return None
        if self.kind == "bool":
            return "ja" if value else "nee"
        if self.kind == "choice":
            return str(self.choices.get(value, value))
        if self.kind == "ref":
            item = _ref_item(refs, self.ref, value, missing=None)
            return item.name_nl if item else value
        if self.kind == "refs":
            return ", ".join(sorted(value))
        return value

    def allowed(self, refs) -> list | None:
        """The values a drop-down on this column offers (None: no list)."""
        if self.kind == "bool":
            return ["ja", "nee"]
        if self.kind == "choice":
            return [str(label) for label in self.choices.values()]
        if self.ref == "levels":
            return [lvl.name_nl for lvl in refs.levels]
        if self.kind == "ref":
            return [i.name_nl for i in refs.list(self.ref).active]
        return None

    def parser(self, refs) -> Callable[[Any], Any]:
        """A function from a cell to the register's value, raising ValueError with what is wrong
        (in Dutch). Made once per column: the import calls it for every cell."""
        return _PARSERS[self.kind](self, refs)


def obj_session_get(model_class, item_id):
    return db.session.get(model_class, item_id)


def _ref_item(refs, ref: str, code, missing=_MISSING):
    if code in (None, ""):
        return None
    if ref == "levels":
        item = refs.level_by_code.get(code)
    else:
        item = refs.list(ref).by_code.get(code)
    if item is None and missing is _MISSING:
        raise ValueError(_("onbekende waarde %(v)s", v=code))
    return item


def _ref_item_by_id(refs, ref: str, item_id):
    if item_id is None:
        return None
    return refs.level_by_id.get(item_id) if ref == "levels" else refs.list(ref).by_id.get(item_id)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _optional_str(value):
    return value if value not in (None, "", "None") else None


def text_of(value) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_revision(value) -> int | None:
    """A record's revision as a sheet's Versie column holds it (a whole number from 1); empty:
    none."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = text_of(value)
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 2 ** 31:
        raise ValueError(_("geen versie (een geheel getal vanaf 1)"))
    return int(text)


def stale_row(what: str, revision: int | None, current: int) -> str | None:
    """Why a changed row's Versie cell refuses it, or None: ``what`` ("plan CP-001", "maatregel
    9.1 in meldkamer:RTD") has no revision in the row, or another than the stored one (an export
    older than someone else's change, which the row would silently overwrite)."""
    if revision is None:
        return _("de versie van %(what)s ontbreekt: neem de kolom Versie uit de export over, "
                 "zodat een wijziging van een ander niet ongemerkt wordt overschreven", what=what)
    if revision < current:
        return _("%(what)s is sinds deze export gewijzigd (versie %(now)s, dit bestand: "
                 "%(then)s); exporteer opnieuw en breng uw wijziging daarin aan", what=what,
                 now=current, then=revision)
    if revision > current:
        return _("versie %(then)s is nieuwer dan die van %(what)s (%(now)s)", what=what,
                 now=current, then=revision)
    return None


def _parse_text(spec: Field, refs):
    strip = spec.kind == "text"

    def parse(value):
        if value is None:
            return ""
        if type(value) is not str:
            value = text_of(value)
        return spec.clean(value.strip() if strip else value) if value else ""
    return parse


def _parse_int(spec: Field, refs):
    allowed = {c.value for c in getattr(refs, spec.scale)} if spec.scale else None
    if allowed:
        out_of_range = _("buiten de matrix (%(min)s–%(max)s)", min=min(allowed), max=max(allowed))
    not_whole = _("geen geheel getal")

    def parse(value):
        if value is None or value == "":
            return None
        kind = type(value)
        if kind is float and value.is_integer():
            value = int(value)
        elif kind is str:
            text = value.strip()
            if not text:
                return None
            if not text.isdigit():
                raise ValueError(not_whole)
            value = int(text)
        elif kind is not int:
            raise ValueError(not_whole)
        if allowed is not None and value not in allowed:
            raise ValueError(out_of_range)
        return value
    return parse


def _parse_bool(spec: Field, refs):
    exact = {**{word: True for word in TRUE}, **{word: False for word in FALSE}}

    def parse(value):
        if value.__class__ is str and value in exact:  # "ja", "nee": as normalised already
            return exact[value]
        text = normalise(value)
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError(_("vul ja of nee in"))
    return parse


def _parse_date(spec: Field, refs):
    def parse(value):
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(str(value), fmt).date()
            except ValueError:
                pass
        raise ValueError(_("geen datum (dd-mm-jjjj)"))
    return parse


def _names(items, *attrs) -> dict:
    out = {}
    for item in items:
        for attr in attrs:
            value = getattr(item, attr, None)
            if value:
                out[normalise(value)] = item
    return out


def _labels_in(choices: Mapping[str, Any], language: str) -> dict[str, str]:
    if language == current_language():
        return {code: str(label) for code, label in choices.items()}
    with force_locale(language):
        return {code: str(label) for code, label in choices.items()}


def choice_names(choices: Mapping[str, Any]) -> dict[str, str]:
    """{normalised cell text: code} for a choice column: its codes and its labels in every
    language of the app, so that a workbook reads the same whoever imports it. The export writes
    Dutch labels and the importer may read English (or the other way round): a label of either
    language, or the code, is accepted in either. Where two would read differently, the Dutch
    label (what the export writes) wins, then the reader's own label, then a code."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "nl"
    languages = current_app.config["LANGUAGES"] if has_app_context() else (default,)
    names = {}
    for language in languages:
        if language != default:
            names.update({normalise(label): code
                          for code, label in _labels_in(choices, language).items()})
    names.update({normalise(code.replace("_", " ")): code for code in choices})
    names.update({normalise(code): code for code in choices})
    names.update({normalise(str(label)): code for code, label in choices.items()})
    names.update({normalise(label): code for code, label in _labels_in(choices, default).items()})
    return names


def _parse_choice(spec: Field, refs):
    names = choice_names(spec.choices)
    listed = ", ".join(str(v) for v in spec.choices.values())

    seen: dict = {}  # cell text -> code: a column repeats a handful of values

    def parse(value):
        text = text_of(value)
        if not text:
            return None
        code = seen.get(text)
        if code is None:
            if normalise(text) not in names:
                raise ValueError(_("onbekende waarde; kies uit %(s)s", s=listed))
            code = seen[text] = names[normalise(text)]
        return code
    return parse


def _ref_names(spec: Field, refs) -> dict:
    items = refs.levels if spec.ref == "levels" else refs.list(spec.ref).all
    return _names(items, "code", "name_nl", "name_en")


def _parse_ref(spec: Field, refs):
    names = _ref_names(spec, refs)
    seen: dict = {}  # cell text -> code

    def parse(value):
        text = text_of(value)
        if not text:
            return None
        code = seen.get(text)
        if code is None:
            item = names.get(normalise(text))
            if item is None:
                raise ValueError(_("onbekende waarde %(v)s", v=text))
            code = seen[text] = item.code
        return code
    return parse


def _parse_refs(spec: Field, refs):
    names = _ref_names(spec, refs)
    seen: dict = {}  # cell text -> codes: a column repeats a handful of combinations

    def parse(value):
        text = text_of(value)
        if not text:
            return []
        codes = seen.get(text)
        if codes is None:
            codes = []
            for part in re.split(r"[,;\n]", text):
                if not part.strip():
                    continue
                item = names.get(normalise(part))
                if item is None:
                    raise ValueError(_("onbekende waarde %(v)s", v=part.strip()))
                codes.append(item.code)
            codes = seen[text] = sorted(set(codes))
        return list(codes)  # a list of the row's own
    return parse


_PARSERS = {"text": _parse_text, "longtext": _parse_text, "int": _parse_int, "bool": _parse_bool,
            "date": _parse_date, "choice": _parse_choice, "ref": _parse_ref, "refs": _parse_refs}


def _quick_clean(spec: Field):
    """``spec.clean``, with a shortcut for the usual text: plain ASCII without line breaks or
    control characters, within the limit (then cleaning only strips it)."""
    if type(spec).clean is not Field.clean or spec.kind not in ("text", "longtext"):
        return spec.clean
    strip, limit, required, slow = spec.kind == "text", spec.max_length or MAX_TEXT, \
        spec.required, spec.clean

    def clean(value):
        if value.__class__ is str:
            text = value.strip() if strip else value
            if text.isascii() and text.isprintable() and len(text) <= limit and (
                    not required or text.strip()):
                return text
        return slow(value)
    return clean


def _required(value):
    """``Field.clean`` of a required field's value that is clean already."""
    if value in (None, "", []) or (value.__class__ is str and not value.strip()):
        raise ValueError(_("vul dit veld in"))
    return value


class FieldSet:
    """An entity's fields, in order, and what is derived from them."""

    def __init__(self, fields: Sequence[Field]):
        self.fields = list(fields)
        self.by_name = {f.name: f for f in self.fields}
        if len(self.by_name) != len(self.fields):
            raise ValueError("two fields with one name")
        # The fields whose clean() can change or refuse a value: texts and required ones. For
        # the others it is the identity, which the import's hot loop need not call.
        self._cleaners = [(f.name, _quick_clean(f)) for f in self.fields
                          if type(f).clean is not Field.clean
                          or f.kind in ("text", "longtext") or f.required]
        # What is left to check of values that are clean already: a required field left empty
        # (a parser gives "" or None for an empty cell without cleaning it); a field with a
        # clean() of its own is cleaned as ever.
        self._on_clean = [(f.name, _required if type(f).clean is Field.clean else f.clean)
                          for f in self.fields if f.required or type(f).clean is not Field.clean]
        self.checks_clean_values = bool(self._on_clean)  # else clean(cleaned=True) finds nothing

    def __iter__(self):
        return iter(self.fields)

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def dataclass(self, name: str, extra: Sequence[tuple] = ()):
        """The service's data object: one attribute per field (required ones first)."""
        own = [(f.name, Any, dc_field(default_factory=lambda f=f: f.empty())) for f in self.fields]
        return make_dataclass(name, own + list(extra))

    def label(self, name: str) -> str:
        spec = self.by_name.get(name)
        return str(spec.label) if spec else name

    def clean(self, data, *, cleaned: bool = False) -> dict[str, str]:
        """Clean every field of ``data`` in place; {field name: message} for those that fail.
        ``cleaned``: every value is clean already, as the fields' parsers give it (an import's
        cells) or as the register keeps it (read from the database): then only what cleaning
        refuses beyond that is checked, a required field left empty, with the same message."""
        errors = {}
        for name, clean in self._on_clean if cleaned else self._cleaners:
            try:
                value = getattr(data, name)
                cleaned = clean(value)
                if cleaned is not value:
                    setattr(data, name, cleaned)
            except ValueError as error:
                errors[name] = str(error)
        return errors

    def assign(self, obj, data, refs, names: Sequence[str] | None = None) -> None:
        for spec in self.fields:
            if names is None or spec.name in names:
                spec.to_model(obj, getattr(data, spec.name), refs)

    def values(self, obj, refs) -> dict:
        return {spec.name: spec.from_model(obj, refs) for spec in self.fields}

    def snapshot(self, obj, refs, prefix: str = "") -> dict:
        return {prefix + spec.name: spec.snapshot(spec.from_model(obj, refs)) for spec in self.fields}

    def show(self, name: str, value, refs):
        spec = self.by_name.get(name)
        return spec.show(value, refs) if spec else value

    def add_form_fields(self, form_class, refs, prefix: str = "", keep: Mapping = {}) -> None:  # noqa: B006
        for spec in self.fields:
            if spec.form:
                setattr(form_class, prefix + spec.name,
                        spec.form_field(refs, keep.get(spec.name, ())))

    def from_form(self, form, prefix: str = "") -> dict:
        out = {}
        for spec in self.fields:
            if not spec.form:
                continue
            value = form[prefix + spec.name].data
            if spec.kind in ("text", "longtext"):
                value = value or ""
            elif spec.kind == "refs":
                value = list(value or [])
            elif spec.kind == "bool":
                value = bool(value)
            out[spec.name] = value
        return out
