"""``lms-risk user …``: accounts from the command line."""

import sys

import click
from sqlalchemy import select

from ..core.uow import transactional_command
from ..extensions import db
from .models import ROLES, User
from .services import UserError, create_user


@click.group()
def user():
    """Manage users."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@user.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--discipline", "discipline_code", help="Discipline code (AMB, POL, BRW, KMAR, LMS); required for members.")
@click.option("--name", default="", help="Display name.")
@transactional_command
def user_create(email, role, discipline_code, name):
    """Create a user; the password comes from a prompt or stdin, never from an argument."""
    password = _read_password()
    try:
        created = create_user(email, password, role, discipline_code=discipline_code, name=name)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"user {created.email} created with role {created.role}")


@user.command("list")
@transactional_command
def user_list():
    """List all users."""
    for u in db.session.scalars(select(User).order_by(User.email)):
        discipline = u.discipline.code if u.discipline else "-"
        state = "active" if u.active else "inactive"
        click.echo(f"{u.email}\t{u.role}\t{discipline}\t{state}")
