"""``lms-risk user …``: accounts and their roles from the command line."""

import sys

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.uow import transactional_command
from ..extensions import db
from .models import ROLES, User
from .services import UserError, add_assignment, create_user, remove_assignment

DISCIPLINE_HELP = "Discipline code (AMB, POL, BRW, KMAR, LMS); required for members."
MELDKAMER_HELP = "Meldkamer code (e.g. RTD); required for continuity coordinators."


@click.group()
def user():
    """Manage users and their roles."""


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
def user_create(email, role, discipline_code, meldkamer_code, name):
    """Create a user with one role; the password comes from a prompt or stdin, never from an
    argument. More roles: ``user assign``."""
    password = _read_password()
    try:
        created = create_user(email, password, role, discipline_code=discipline_code,
                              meldkamer_code=meldkamer_code, name=name)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"user {created.email} created with role {role}")


@user.command("assign")
@click.argument("email")
@_scope_options
@transactional_command
def user_assign(email, role, discipline_code, meldkamer_code):
    """Give a user one more role, for the whole register, a discipline or a meldkamer."""
    target = _get_user(email)
    try:
        add_assignment(target, role, discipline_code=discipline_code, meldkamer_code=meldkamer_code)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"user {target.email} now has role {role}{_scope_text(discipline_code, meldkamer_code)}")


@user.command("unassign")
@click.argument("email")
@_scope_options
@transactional_command
def user_unassign(email, role, discipline_code, meldkamer_code):
    """Take a role (in exactly the scope given) from a user; a user's last role stays."""
    target = _get_user(email)
    try:
        remove_assignment(target, role, discipline_code=discipline_code,
                          meldkamer_code=meldkamer_code)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"user {target.email} no longer has role {role}"
               f"{_scope_text(discipline_code, meldkamer_code)}")


@user.command("list")
@transactional_command
def user_list():
    """List all users: e-mail, roles, their scopes (discipline or meldkamer code, '-' for the whole
    register; in the order of the roles) and state, separated by tabs."""
    for u in db.session.scalars(select(User).order_by(User.email)
                                .options(selectinload(User.assignments))):
        roles = ",".join(a.role for a in u.assignments) or "-"
        scopes = ",".join(a.scope_code or "-" for a in u.assignments) or "-"
        state = "active" if u.active else "inactive"
        click.echo(f"{u.email}\t{roles}\t{scopes}\t{state}")
