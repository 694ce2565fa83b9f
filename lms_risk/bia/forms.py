"""The BIA's forms, made from its field specification (``fields.py``).

A version's form has the version fields, a select per grid cell (``g-<category>-<window>``) and
the row fields per category (``r-<category>-<name>``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import Select, html_params
from markupsafe import Markup, escape

from ..i18n import localized
from .fields import BIA_FIELDS, DEPENDENCY_KIND_LABELS, ROW_FIELDS, VERSION_FIELDS, BiaData, \
    RowData, VersionData


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _choices(pairs) -> list:
    return [SelectChoice(value, label) for value, label in pairs]


class LongSelect(Select):
    """A select of hundreds of options (every BIA). Its choices as plain ``(value, label)`` pairs
    or ``SelectChoice``s without attributes are written straight from the field's list, one
    f-string per option: WTForms makes two objects per option first and then attributes and a
    Markup for each (several times slower for 300 options). Anything else goes WTForms' way."""

    def __call__(self, field, **kwargs):
        pairs = _plain_pairs(field.choices) if not self.multiple else None
        if pairs is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = True
        coerce, data = field.coerce, field.data
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in pairs:
            selected = " selected" if coerce(value) == data else ""
            html.append(f'<option{selected} value="{escape(value)}">'
                        f"{escape(value if label is None else label)}</option>")
        html.append("</select>")
        return Markup("".join(html))


def _plain_pairs(choices) -> list | None:
    """``choices`` as (value, label) pairs, or None when one needs more than a plain option."""
    if not isinstance(choices, list):
        return None
    pairs = []
    for choice in choices:
        if isinstance(choice, SelectChoice):
            if choice.render_kw or choice.optgroup:
                return None
            choice = (choice.value, choice.label)
        elif not isinstance(choice, tuple) or len(choice) != 2:
            return None
        if isinstance(choice[0], bool):
            return None
        pairs.append(choice)
    return pairs


_LEVELS = _choices([(1, "1"), (2, "2"), (3, "3")])


class _Base(FlaskForm):
    submit = SubmitField(_l("Opslaan"))


def make_bia_form(refs, keep=None, **kwargs):
    class BiaForm(_Base):
        pass

    BIA_FIELDS.add_form_fields(BiaForm, refs, keep=keep or {})
    return BiaForm(**kwargs)


def bia_data(form) -> BiaData:
    return BiaData(**BIA_FIELDS.from_form(form))


def bia_values(bia, refs) -> dict:
    return BIA_FIELDS.values(bia, refs)


def make_version_form(refs, config, **kwargs):
    class VersionForm(_Base):
        pass

    VERSION_FIELDS.add_form_fields(VersionForm, refs)
    choices = _choices([("", "–")] + [(c.value, f"{c.value} – {localized(c, 'label')}")
                                      for c in refs.impacts])
    for category in config.categories:
        for window in config.windows:
            setattr(VersionForm, f"g-{category.code}-{window.code}",
                    SelectField(f"{localized(category)} · {localized(window)}", choices=choices,
                                coerce=_int_or_none, validators=[Optional()],
                                validate_choice=True))
        ROW_FIELDS.add_form_fields(VersionForm, refs, prefix=f"r-{category.code}-")
    return VersionForm(**kwargs)


def version_values(version, refs, config) -> dict:
    data = VERSION_FIELDS.values(version, refs)
    grid = version.grid()
    rows = version.row_by_category()
    for category in config.categories:
        for window in config.windows:
            data[f"g-{category.code}-{window.code}"] = grid.get((category.id, window.id))
        row = rows.get(category.id)
        if row is not None:
            data.update({f"r-{category.code}-{k}": v
                         for k, v in ROW_FIELDS.values(row, refs).items()})
    return data


def version_data(form, config):
    """(VersionData, grid, rows) for ``services.update_version``."""
    grid = {(c.id, w.id): form[f"g-{c.code}-{w.code}"].data
            for c in config.categories for w in config.windows}
    rows = {c.id: RowData(**ROW_FIELDS.from_form(form, prefix=f"r-{c.code}-"))
            for c in config.categories}
    return VersionData(**VERSION_FIELDS.from_form(form)), grid, rows


def make_dependency_form(bias, refs, **kwargs):
    class DependencyForm(FlaskForm):
        kind = SelectField(_l("Soort"), choices=_choices(DEPENDENCY_KIND_LABELS.items()),
                           validators=[DataRequired()])
        target_bia_id = SelectField(_l("BIA-onderwerp"), coerce=_int_or_none, widget=LongSelect(),
                                    choices=_choices([("", "–")] + [(b.id, f"{b.code} {b.subject}")
                                                                    for b in bias]),
                                    validators=[Optional()])
        voorziening = SelectField(_l("Voorziening"),
                                  choices=_choices([("", "–")] + [(v.code, localized(v))
                                                                  for v in refs.voorzieningen.active]),
                                  validators=[Optional()])
        name = StringField(_l("Naam (leverancier, locatie, persoon)"),
                           validators=[Optional(), Length(max=200)])
        recovery_minutes = IntegerField(_l("Hersteltijd (minuten)"),
                                        validators=[Optional(), NumberRange(min=0)],
                                        description=_l("Leeg bij een BIA-onderwerp: diens RTO."))
        submit = SubmitField(_l("Toevoegen"))

    return DependencyForm(**kwargs)


class ClassificationForm(FlaskForm):
    b = SelectField(_l("Beschikbaarheid (B)"), choices=_LEVELS,
                    coerce=int)
    i = SelectField(_l("Integriteit (I)"), choices=_LEVELS, coerce=int)
    v = SelectField(_l("Vertrouwelijkheid (V)"), choices=_LEVELS,
                    coerce=int)
    reason = StringField(_l("Reden"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Classificeren"))


class RiskLinkForm(FlaskForm):
    risk = StringField(_l("Risicocode"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Bijvoorbeeld R-0001."))
    submit = SubmitField(_l("Koppelen"))


class BiaLinkForm(FlaskForm):
    bia = SelectField(_l("BIA"), validators=[DataRequired()], validate_choice=False,
                      widget=LongSelect())
    submit = SubmitField(_l("Koppelen"))


class WindowForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Bijvoorbeeld 4u; komt terug in de auditkeys."))
    name_nl = StringField(_l("Naam (NL)"), validators=[DataRequired(), Length(max=50)])
    name_en = StringField(_l("Naam (EN)"), validators=[Optional(), Length(max=50)])
    minutes = IntegerField(_l("Minuten"), validators=[DataRequired(), NumberRange(min=1)])
    active = BooleanField(_l("Actief"), default=True)
    submit = SubmitField(_l("Opslaan"))


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name_nl = StringField(_l("Naam (NL)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Naam (EN)"), validators=[Optional(), Length(max=200)])
    sort_order = IntegerField(_l("Volgorde"), default=0, validators=[Optional()])
    active = BooleanField(_l("Actief"), default=True)
    submit = SubmitField(_l("Opslaan"))


class ThresholdForm(FlaskForm):
    threshold = SelectField(_l("MTPD-drempel (impactwaarde)"), coerce=int,
                            description=_l("De MTPD is de eerste periode waarin een categorie "
                                           "deze impact of hoger bereikt."))
    submit = SubmitField(_l("Opslaan"))


def make_bbn_form(rule: dict, **kwargs):
    class BbnForm(FlaskForm):
        submit = SubmitField(_l("BBN-regel opslaan"))

    for b in (1, 2, 3):
        for i in (1, 2, 3):
            for v in (1, 2, 3):
                setattr(BbnForm, f"bbn-{b}-{i}-{v}",
                        SelectField(f"B{b} I{i} V{v}", choices=_LEVELS, coerce=int,
                                    default=rule.get((b, i, v), max(b, i, v))))
    return BbnForm(**kwargs)
