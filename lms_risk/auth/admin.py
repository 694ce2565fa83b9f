"""Account administration in the web: admins create users, change their roles, deactivate and
reactivate them, reset their password and sign them out everywhere; auditors read. Every change
goes through ``services.py`` and is in the audit trail with who did it."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import timeutil
from ..core.access import require
from ..core.forms import EmptyForm
from ..extensions import db
from . import second_factor
from .forms import AssignmentForm, CreateUserForm
from .models import RoleAssignment, User, UserSession
from .permissions import can_view_users, is_admin
from .services import (
    UserError,
    add_assignment,
    create_user,
    one_time_password,
    remove_assignment,
    reset_password,
    set_active,
    sign_out_everywhere,
)
from .views import bp


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _scope_codes(form: AssignmentForm) -> dict:
    return {"discipline_code": form.discipline.data or None,
            "meldkamer_code": form.meldkamer.data or None}


@bp.get("/admin/users")
@require(can_view_users)
def users():
    rows = list(db.session.scalars(select(User).order_by(User.email)
                                   .options(selectinload(User.assignments))))
    return render_template("auth/users.html", users=rows, can_edit=is_admin(current_user))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require(is_admin)
def create():
    form = CreateUserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User.id).where(User.email == email)):
            form.email.errors.append(_("Er is al een gebruiker met dit e-mailadres."))
        else:
            password = one_time_password()
            user = create_user(email, password, form.role.data, name=form.name.data or "",
                               must_change_password=True, actor=current_user,
                               **_scope_codes(form))
            return render_template("auth/one_time_password.html", user=user, password=password)
    return render_template("auth/user_new.html", form=form)


@bp.get("/admin/users/<int:user_id>")
@require(can_view_users)
def user_detail(user_id: int):
    user = _user(user_id)
    now = timeutil.utcnow()
    sessions = db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None),
        UserSession.expires_at > now))
    return render_template("auth/user.html", user=user, sessions=sessions,
                           form=AssignmentForm(), action=EmptyForm(),
                           can_edit=is_admin(current_user))


@bp.post("/admin/users/<int:user_id>/assignments")
@require(is_admin)
def assign(user_id: int):
    user = _user(user_id)
    form = AssignmentForm()
    if form.validate_on_submit():
        try:
            add_assignment(user, form.role.data, actor=current_user, **_scope_codes(form))
        except UserError:
            flash(_("Deze gebruiker heeft deze rol al."), "warning")
        else:
            flash(_("Rol toegekend."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/assignments/<int:assignment_id>/remove")
@require(is_admin)
def unassign(user_id: int, assignment_id: int):
    user = _user(user_id)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        if len(user.assignments) == 1:
            flash(_("De laatste rol blijft: ken eerst een andere rol toe, of deactiveer het "
                    "account."), "warning")
        else:
            remove_assignment(user, assignment.role,
                              discipline_code=assignment.discipline.code
                              if assignment.discipline else None,
                              meldkamer_code=assignment.meldkamer.code
                              if assignment.meldkamer else None, actor=current_user)
            flash(_("Rol ingetrokken."), "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/<any(deactivate, activate):what>")
@require(is_admin)
def activation(user_id: int, what: str):
    user = _user(user_id)
    if EmptyForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("U kunt uw eigen account niet deactiveren."), "warning")
        else:
            try:
                set_active(user, what == "activate", actor=current_user)
            except UserError:
                pass  # already so: nothing to do
            else:
                flash(_("Account geactiveerd.") if what == "activate" else
                      _("Account gedeactiveerd; alle sessies zijn beëindigd."), "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/reset-password")
@require(is_admin)
def reset(user_id: int):
    user = _user(user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("auth.user_detail", user_id=user.id))
    password = reset_password(user, actor=current_user)
    return render_template("auth/one_time_password.html", user=user, password=password)


@bp.post("/admin/users/<int:user_id>/sign-out")
@require(is_admin)
def sign_out(user_id: int):
    user = _user(user_id)
    if EmptyForm().validate_on_submit():
        ended = sign_out_everywhere(user, actor=current_user)
        flash(ngettext("%(num)d sessie beëindigd.", "%(num)d sessies beëindigd.", ended),
              "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/reset-second-factor")
@require(is_admin)
def reset_second_factor(user_id: int):
    user = _user(user_id)
    if EmptyForm().validate_on_submit():
        second_factor.reset(user, actor=current_user)
        flash(_("De tweede factor is gewist; de gebruiker stelt hem bij de volgende keer "
                "inloggen opnieuw in."), "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))
