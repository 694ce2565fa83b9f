"""The risk form. Impact fields are made per discipline: ``<CODE>-applies``, ``<CODE>-bruto``, …"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from .labels import STATUS_LABELS

# Messages for the error codes of risks.services.validate / RiskError.
ERROR_MESSAGES = {
    "missing": _l("Vul dit veld in."),
    "too_long": _l("Deze tekst is te lang."),
    "unknown": _l("Onbekende waarde."),
    "out_of_range": _l("Kies een score uit de matrix."),
    "netto_above_bruto": _l("De netto score mag niet hoger zijn dan de bruto score."),
    "unknown_discipline": _l("Onbekende discipline."),
}


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class RiskFormBase(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional()])
    cause = TextAreaField(_l("Oorzaak"), validators=[Optional()])
    consequence = TextAreaField(_l("Gevolg"), validators=[Optional()])
    category = SelectField(_l("Categorie"), validators=[Optional()])
    owner = StringField(_l("Eigenaar"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    meldkamers = SelectMultipleField(_l("Meldkamers"), validators=[Optional()])
    voorzieningen = SelectMultipleField(_l("Voorzieningen"), validators=[Optional()])
    bruto_likelihood = SelectField(_l("Bruto kans"), coerce=_optional_int, validators=[DataRequired()])
    netto_likelihood = SelectField(_l("Netto kans"), coerce=_optional_int, validators=[DataRequired()])
    target_level = SelectField(_l("Streefniveau"), coerce=_optional_int, validators=[Optional()])
    next_review = DateField(_l("Volgende review"), validators=[Optional()])
    reason = StringField(_l("Reden van wijziging"), validators=[Optional(), Length(max=500)],
                         description=_l("Wordt bij elke gewijzigde score in de historie bewaard."))
    version = HiddenField()
    submit = SubmitField(_l("Opslaan"))


def make_risk_form(disciplines, likelihoods, impacts, levels, categories, meldkamers,
                   voorzieningen, localized, **kwargs) -> RiskFormBase:
    """A form class with impact fields for each discipline, instantiated with ``kwargs``."""

    class RiskForm(RiskFormBase):
        pass

    impact_choices = choices([("", "–")] + [(c.value, f"{c.value} – {localized(c, 'label')}")
                                            for c in impacts])
    for d in disciplines:
        setattr(RiskForm, f"{d.code}-applies", BooleanField(_l("Van toepassing")))
        setattr(RiskForm, f"{d.code}-bruto", SelectField(_l("Bruto impact"), coerce=_optional_int,
                                                         choices=impact_choices, validators=[Optional()]))
        setattr(RiskForm, f"{d.code}-netto", SelectField(_l("Netto impact"), coerce=_optional_int,
                                                         choices=impact_choices, validators=[Optional()]))
        setattr(RiskForm, f"{d.code}-rationale", TextAreaField(_l("Toelichting"),
                                                              validators=[Optional()]))
    form = RiskForm(**kwargs)
    lik_choices = choices((c.value, f"{c.value} – {localized(c, 'label')}") for c in likelihoods)
    form.bruto_likelihood.choices = lik_choices
    form.netto_likelihood.choices = lik_choices
    form.target_level.choices = choices([("", "–")] + [(lvl.id, localized(lvl)) for lvl in levels])
    form.category.choices = choices([("", "–")] + [(c.code, localized(c)) for c in categories])
    form.meldkamers.choices = choices((m.code, localized(m)) for m in meldkamers)
    form.voorzieningen.choices = choices((v.code, localized(v)) for v in voorzieningen)
    return form


def impact_fields(form, code: str):
    return (form[f"{code}-applies"], form[f"{code}-bruto"], form[f"{code}-netto"],
            form[f"{code}-rationale"])
