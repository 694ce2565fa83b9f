from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..i18n import localized
from ..reference.data import refdata
from .models import ROLE_SCOPES, ROLES, role_label
from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Inloggen"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Huidig wachtwoord"),
                            validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    new = PasswordField(_l("Nieuw wachtwoord"),
                        validators=[DataRequired(),
                                    Length(min=MIN_PASSWORD_LENGTH, message=_l(
                                        "Minstens %(min)d tekens.", min=MIN_PASSWORD_LENGTH)),
                                    Length(max=MAX_PASSWORD_LENGTH, message=_l(
                                        "Hoogstens %(max)d tekens.", max=MAX_PASSWORD_LENGTH))])
    repeat = PasswordField(_l("Herhaal nieuw wachtwoord"),
                           validators=[DataRequired(), EqualTo("new", _l("De wachtwoorden verschillen."))])
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class EndSessionForm(FlaskForm):
    session_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class AssignmentForm(FlaskForm):
    """A role with its scope; which scopes a role allows is checked against ``ROLE_SCOPES``."""

    role = SelectField(_l("Rol"), validators=[DataRequired()])
    discipline = SelectField(_l("Discipline"), validators=[Optional()])
    meldkamer = SelectField(_l("Meldkamer"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = refdata()
        self.role.choices = [(code, role_label(code)) for code in ROLES]
        self.discipline.choices = [("", _l("– het hele register –"))] + [
            (d.code, f"{d.code} · {localized(d)}") for d in data.disciplines.active]
        self.meldkamer.choices = [("", _l("– het hele register –"))] + [
            (m.code, f"{m.code} · {localized(m)}") for m in data.meldkamers.active]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        kind = ("discipline" if self.discipline.data and not self.meldkamer.data else
                "meldkamer" if self.meldkamer.data and not self.discipline.data else
                None if not (self.discipline.data or self.meldkamer.data) else "both")
        if kind == "both":
            self.meldkamer.errors.append(_l("Kies een discipline of een meldkamer, niet beide."))
            return False
        allowed = ROLE_SCOPES[self.role.data]
        if kind not in allowed:
            if "discipline" in allowed and None not in allowed:
                self.discipline.errors.append(_l("Deze rol is voor één discipline: kies die."))
            elif "meldkamer" in allowed:
                self.meldkamer.errors.append(_l("Deze rol is voor één meldkamer: kies die."))
            else:
                field = self.discipline if kind == "discipline" else self.meldkamer
                field.errors.append(_l("Deze rol geldt voor het hele register."))
            return False
        return True


class CreateUserForm(AssignmentForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254),
                                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                           message=_l("Geen geldig e-mailadres."))])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Gebruiker aanmaken"))

    field_order = ("email", "name", "role", "discipline", "meldkamer")


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("De zes cijfers uit uw authenticator-app, of een van uw "
                                      "herstelcodes."))
    submit = SubmitField(_l("Bevestigen"))


class EnrolForm(FlaskForm):
    code = StringField(_l("Code uit de app"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Tweede factor instellen"))
