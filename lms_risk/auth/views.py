"""Signing in and out, choosing one's own password, one's sessions, and the user list."""

import math

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import timeutil
from ..core.forms import EmptyForm
from ..core.urls import safe_next
from ..web import home_url
from . import throttle
from .events import security_event
from .forms import ChangePasswordForm, EndSessionForm, LoginForm
from .services import UserError, authenticate, change_password
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
            login_user(user)
            start_session(user)
            security_event("signin", email, user, address=address)
            if user.must_change_password:
                return redirect(url_for("auth.password"))
            return redirect(next_url or home_url())
    return render_template("auth/login.html", form=form)


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
            return too_many("auth/password.html", retry_at, form=form)
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
    return render_template("auth/password.html", form=form)


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
