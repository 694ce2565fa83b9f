from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from .services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired()])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])
    submit = SubmitField(_l("Inloggen"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired()])
    new = PasswordField(_l("Nieuw wachtwoord"),
                        validators=[DataRequired(), Length(
                            min=MIN_PASSWORD_LENGTH,
                            message=_l("Minstens %(min)d tekens.", min=MIN_PASSWORD_LENGTH))])
    repeat = PasswordField(_l("Herhaal nieuw wachtwoord"),
                           validators=[DataRequired(), EqualTo("new", _l("De wachtwoorden verschillen."))])
    submit = SubmitField(_l("Wachtwoord wijzigen"))
