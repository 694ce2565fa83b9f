"""Signing in and out, and choosing one's own password."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.access import require
from ..core.forms import EmptyForm
from ..core.urls import safe_next
from ..extensions import db
from ..web import home_url
from .forms import ChangePasswordForm, LoginForm
from .models import User
from .permissions import is_admin
from .services import MIN_PASSWORD_LENGTH, authenticate, change_password

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Onbekend e-mailadres of onjuist wachtwoord."), "danger")
        else:
            next_url = safe_next(request.args.get("next"))
            lang = session.get("lang")
            session.clear()  # no state (or fixated session) survives a login
            if lang:
                session["lang"] = lang
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("auth.password"))
            return redirect(next_url or home_url())
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append(_("Het huidige wachtwoord klopt niet."))
        elif form.new.data == form.current.data:
            form.new.errors.append(_("Kies een ander wachtwoord dan het huidige."))
        else:
            change_password(current_user, form.new.data)
            flash(_("Uw wachtwoord is gewijzigd."), "success")
            return redirect(home_url())
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)


@bp.get("/admin/users")
@require(is_admin)
def users():
    rows = list(db.session.scalars(select(User).order_by(User.email)
                                   .options(selectinload(User.assignments))))
    return render_template("auth/users.html", users=rows)
