from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

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
                                    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])
    repeat = PasswordField(_l("Herhaal nieuw wachtwoord"),
                           validators=[DataRequired(), EqualTo("new", _l("De wachtwoorden verschillen."))])
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class EndSessionForm(FlaskForm):
    session_id = HiddenField(validators=[DataRequired(), Length(max=64)])
