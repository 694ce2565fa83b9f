"""``lms-risk user …``: accounts and their roles from the command line."""

import functools
import sys

import click
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.uow import transactional_command
from ..extensions import db
from .models import ROLES, User
from .services import (
    UserError,
    add_assignment,
    create_user,
    remove_assignment,
    reset_password,
    set_active,
    sign_out_everywhere,
)

DISCIPLINE_HELP = "Discipline code (AMB, POL, BRW, KMAR, LMS); required for members."
MELDKAMER_HELP = "Meldkamer code (e.g. RTD); required for continuity coordinators."


@click.group()
def user():
    """Manage users and their roles."""


def _user_errors(func):
    """A refusal by the account services (``UserError``) is the command's error message."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as error:
            raise click.ClickException(str(error)) from error

    return wrapped


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _scope_options(command):
    command = click.option("--meldkamer", "meldkamer_code", help=MELDKAMER_HELP)(command)
    command = click.option("--discipline", "discipline_code", help=DISCIPLINE_HELP)(command)
    return click.option("--role", required=True, type=click.Choice(ROLES))(command)


def _get_user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if found is None:
        raise click.ClickException(f"no user {email}")
    return found


def _scope_text(discipline_code, meldkamer_code) -> str:
    code = discipline_code or meldkamer_code
    return f" ({code.upper()})" if code else ""


@user.command("create")
@click.argument("email")
@_scope_options
@click.option("--name", default="", help="Display name.")
@transactional_command
@_user_errors
def user_create(email, role, discipline_code, meldkamer_code, name):
    """Create a user with one role; the password comes from a prompt or stdin, never from an
    argument. More roles: ``user assign``."""
    password = _read_password()
    with force_locale("en"):  # the command line answers in English
        created = create_user(email, password, role, discipline_code=discipline_code,
                              meldkamer_code=meldkamer_code, name=name)
    click.echo(f"user {created.email} created with role {role}")


@user.command("assign")
@click.argument("email")
@_scope_options
@transactional_command
@_user_errors
def user_assign(email, role, discipline_code, meldkamer_code):
    """Give a user one more role, for the whole register, a discipline or a meldkamer."""
    target = _get_user(email)
    add_assignment(target, role, discipline_code=discipline_code, meldkamer_code=meldkamer_code)
    click.echo(f"user {target.email} now has role {role}{_scope_text(discipline_code, meldkamer_code)}")


@user.command("unassign")
@click.argument("email")
@_scope_options
@transactional_command
@_user_errors
def user_unassign(email, role, discipline_code, meldkamer_code):
    """Take a role (in exactly the scope given) from a user; a user's last role stays."""
    target = _get_user(email)
    remove_assignment(target, role, discipline_code=discipline_code,
                      meldkamer_code=meldkamer_code)
    click.echo(f"user {target.email} no longer has role {role}"
               f"{_scope_text(discipline_code, meldkamer_code)}")


@user.command("list")
@transactional_command
@_user_errors
def user_list():
    """List all users: e-mail, roles, their scopes (discipline or meldkamer code, '-' for the whole
    register; in the order of the roles) and state, separated by tabs."""
    for u in db.session.scalars(select(User).order_by(User.email)
                                .options(selectinload(User.assignments))):
        roles = ",".join(a.role for a in u.assignments) or "-"
        scopes = ",".join(a.scope_code or "-" for a in u.assignments) or "-"
        state = "active" if u.active else "inactive"
        click.echo(f"{u.email}\t{roles}\t{scopes}\t{state}")


@user.command("set-role")
@click.argument("email")
@_scope_options
@transactional_command
@_user_errors
def user_set_role(email, role, discipline_code, meldkamer_code):
    """Give a user exactly this one role (in this scope), taking every other role away."""
    target = _get_user(email)
    code = (discipline_code or meldkamer_code or "").upper() or None
    if not any(a.role == role and a.scope_code == code for a in target.assignments):
        add_assignment(target, role, discipline_code=discipline_code,
                       meldkamer_code=meldkamer_code)
    for a in list(target.assignments):
        if not (a.role == role and a.scope_code == code):
            remove_assignment(target, a.role,
                              discipline_code=a.discipline.code if a.discipline else None,
                              meldkamer_code=a.meldkamer.code if a.meldkamer else None)
    click.echo(f"user {target.email} now has only role {role}"
               f"{_scope_text(discipline_code, meldkamer_code)}")


@user.command("deactivate")
@click.argument("email")
@transactional_command
@_user_errors
def user_deactivate(email):
    """Refuse the user's sign-in from now on and end every session of theirs."""
    target = _get_user(email)
    set_active(target, False)
    click.echo(f"user {target.email} deactivated; their sessions have ended")


@user.command("activate")
@click.argument("email")
@transactional_command
@_user_errors
def user_activate(email):
    """Allow a deactivated user to sign in again."""
    target = _get_user(email)
    set_active(target, True)
    click.echo(f"user {target.email} activated")


@user.command("reset-password")
@click.argument("email")
@transactional_command
@_user_errors
def user_reset_password(email):
    """Give the user a new one-time password (printed once; they choose their own at the next
    sign-in) and end their sessions."""
    target = _get_user(email)
    password = reset_password(target)
    click.echo(f"one-time password for {target.email}: {password}")
    click.echo("Hand it over in person or by phone; it must be changed at the first sign-in.")


@user.command("sign-out")
@click.argument("email")
@transactional_command
@_user_errors
def user_sign_out(email):
    """End every session of the user (on every device)."""
    target = _get_user(email)
    ended = sign_out_everywhere(target)
    click.echo(f"{ended} session(s) of {target.email} ended")


@user.command("reset-second-factor")
@click.argument("email")
@transactional_command
@_user_errors
def user_reset_second_factor(email):
    """Forget the user's second factor and recovery codes (a lost phone) and end their
    sessions; they set it up again at their next sign-in."""
    from .second_factor import reset

    target = _get_user(email)
    reset(target)
    click.echo(f"second factor of {target.email} reset; their sessions have ended")
