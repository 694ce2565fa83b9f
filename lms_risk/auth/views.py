"""Signing in and out, choosing one's own password, one's sessions, and the user list."""

import math

from datetime import timedelta

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import timeutil
from ..core.forms import EmptyForm
from ..core.menu import home_url
from ..core.urls import safe_next
from ..extensions import db
from . import second_factor, throttle
from .events import security_event
from .forms import ChangePasswordForm, EndSessionForm, EnrolForm, LoginForm, SecondFactorForm
from .models import User
from .services import MIN_PASSWORD_LENGTH, UserError, authenticate, change_password
from .sessions import (
    clear_session,
    current_session_id,
    end_sessions,
    open_sessions,
    start_session,
)

bp = Blueprint("auth", __name__)


def too_many(template: str, retry_at, **context):
    """429 with the page, a message saying when to try again and a Retry-After header."""
    seconds = max(1, math.ceil((retry_at - timeutil.utcnow()).total_seconds()))
    minutes = (seconds + 59) // 60
    flash(ngettext("Te veel mislukte pogingen. Probeer het over %(num)d minuut opnieuw "
                   "(om %(time)s).",
                   "Te veel mislukte pogingen. Probeer het over %(num)d minuten opnieuw "
                   "(om %(time)s).", minutes, time=format_time(retry_at, "HH:mm")),
          "danger")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = throttle.client_address()
        retry_at = throttle.retry_at("login", email)
        if retry_at is not None:
            security_event("throttled", email, None, check="login", address=address)
            return too_many("auth/login.html", retry_at, form=form)
        user = authenticate(email, form.password.data)
        if user is None:
            throttle.failed("login", email)
            security_event("signin_failed", email, None, address=address)
            flash(_("Onbekend e-mailadres of onjuist wachtwoord."), "danger")
        else:
            throttle.succeeded("login", email)
            next_url = safe_next(request.args.get("next"))
            clear_session()  # no state (or fixated session) survives a login
            if second_factor.enrolled(user):
                session[PENDING_USER] = user.id
                session[PENDING_SINCE] = timeutil.utcnow().timestamp()
                session[PENDING_NEXT] = next_url
                return redirect(url_for("auth.second_factor_check"))
            return _signed_in(user, next_url, "password")
    return render_template("auth/login.html", form=form)


# Between the password and the second factor, the cookie holds who is half-way (no session yet).
PENDING_USER, PENDING_SINCE, PENDING_NEXT = "2fa_user", "2fa_since", "2fa_next"
PENDING_FOR = timedelta(minutes=5)


def _signed_in(user: User, next_url: str | None, factor: str):
    clear_session()
    login_user(user)
    start_session(user)
    security_event("signin", user.email, user, address=throttle.client_address(), factor=factor)
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(next_url or home_url())


@bp.route("/login/second-factor", methods=["GET", "POST"])
def second_factor_check():
    """The second step of signing in, for users with a second factor."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    user = db.session.get(User, user_id) if user_id else None
    if (user is None or not user.active or since is None
            or timeutil.utcnow().timestamp() - since > PENDING_FOR.total_seconds()):
        clear_session()
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        address = throttle.client_address()
        retry_at = throttle.retry_at("totp", user.email)
        if retry_at is not None:
            security_event("throttled", user.email, None, check="totp", address=address)
            return too_many("auth/second_factor.html", retry_at, form=form)
        factor = second_factor.check(user, form.code.data)
        if factor is None:
            throttle.failed("totp", user.email)
            security_event("signin_failed", user.email, None, check="totp", address=address)
            form.code.errors.append(_("Deze code klopt niet (of is al gebruikt)."))
        else:
            throttle.succeeded("totp", user.email)
            if factor == "recovery":
                flash(_("U hebt een herstelcode gebruikt; die werkt geen tweede keer."), "info")
            return _signed_in(user, session.get(PENDING_NEXT), factor)
    return render_template("auth/second_factor.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def enrol():
    """Set up the authenticator app: QR code, a first code, then the recovery codes once."""
    user = current_user._get_current_object()
    if second_factor.enrolled(user):
        return render_template("auth/enrolled.html",
                               remaining=second_factor.remaining_recovery_codes(user))
    secret = session.get("totp_pending")
    if not secret:
        secret = session["totp_pending"] = second_factor.new_secret()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = second_factor.confirm_enrolment(user, secret, form.code.data)
        if codes is None:
            form.code.errors.append(_("Deze code klopt niet. Controleer de klok van uw telefoon "
                                      "en probeer de volgende code."))
        else:
            session.pop("totp_pending", None)
            return render_template("auth/recovery_codes.html", codes=codes)
    return render_template("auth/enrol.html", form=form, secret=secret,
                           qr=second_factor.qr_data_uri(secret, user.email),
                           required=second_factor.required_for(user))


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        user = current_user._get_current_object()
        if session_id := current_session_id():
            end_sessions(user.id, "signout", session_id=session_id)
        security_event("signout", user.email, user)
        logout_user()
        clear_session()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        retry_at = throttle.retry_at("password", user.email)
        if retry_at is not None:
            security_event("throttled", user.email, user, check="password",
                           address=throttle.client_address())
            return too_many("auth/password.html", retry_at, form=form,
                            min_length=MIN_PASSWORD_LENGTH)
        if authenticate(user.email, form.current.data) is None:
            throttle.failed("password", user.email)
            security_event("reauth_failed", user.email, user, address=throttle.client_address())
            form.current.errors.append(_("Het huidige wachtwoord klopt niet."))
        elif form.new.data == form.current.data:
            form.new.errors.append(_("Kies een ander wachtwoord dan het huidige."))
        else:
            throttle.succeeded("password", user.email)
            try:
                ended = change_password(user, form.new.data, keep_session=current_session_id())
            except UserError as error:
                form.new.errors.append(str(error))
            else:
                flash(_("Uw wachtwoord is gewijzigd."), "success")
                if ended:
                    flash(ngettext("Uw andere sessie is beëindigd.",
                                   "Uw %(num)d andere sessies zijn beëindigd.", ended), "info")
                return redirect(home_url())
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", sessions=open_sessions(current_user.id),
                           current_id=current_session_id(), form=EndSessionForm())


@bp.post("/account/sessions/end")
@login_required
def end_session():
    form = EndSessionForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        session_id = form.session_id.data
        if end_sessions(user.id, "user", session_id=session_id):
            security_event("sessions_ended", user.email, user, reason="user", count=1)
            if session_id == current_session_id():
                logout_user()
                clear_session()
                return redirect(url_for("auth.login"))
            flash(_("De sessie is beëindigd."), "success")
    return redirect(url_for("auth.account"))
