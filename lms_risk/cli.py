"""The ``lms-risk`` command: Flask's CLI (run, shell, db …) plus this project's commands."""

import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from . import create_app
from .extensions import db


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """lms-risk: the collective risk register of the Dutch meldkamers."""


def register_cli(app) -> None:
    """The project's commands live on ``app.cli``; ``main`` (Flask's group) picks them up."""
    from .exchange.cli import COMMANDS

    app.cli.add_command(user)
    app.cli.add_command(demo_data)
    for command in COMMANDS:
        app.cli.add_command(command)


@click.group()
def user():
    """Manage users."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@user.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "chair", "member", "viewer", "auditor"]))
@click.option("--discipline", "discipline_code", help="Discipline code (AMB, POL, BRW, KMAR, LMS); required for members.")
@click.option("--name", default="", help="Display name.")
@with_appcontext
def user_create(email, role, discipline_code, name):
    """Create a user; the password comes from a prompt or stdin, never from an argument."""
    from .auth.services import UserError, create_user

    password = _read_password()
    try:
        created = create_user(email, password, role, discipline_code=discipline_code, name=name)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"user {created.email} created with role {created.role}")


@user.command("list")
@with_appcontext
def user_list():
    """List all users."""
    from .auth.models import User

    for u in db.session.scalars(select(User).order_by(User.email)):
        discipline = u.discipline.code if u.discipline else "-"
        state = "active" if u.active else "inactive"
        click.echo(f"{u.email}\t{u.role}\t{discipline}\t{state}")


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise do nothing.")
@with_appcontext
def demo_data(if_empty):
    """Load a realistic demo register and demo accounts."""
    from .demo.loader import DemoDataExists, load_demo_data

    try:
        result = load_demo_data()
    except DemoDataExists:
        db.session.rollback()
        if if_empty:
            click.echo("The database holds data already; no demo data loaded.")
            return
        raise click.ClickException("the database holds risks or users already; demo data not loaded")
    db.session.commit()
    click.echo(f"Loaded {result.risks} demo risks with {result.changes} score changes.")
    click.echo("")
    port = os.environ.get("PORT", "5000")
    click.echo(f"Sign in at http://127.0.0.1:{port}/login with one of these accounts.")
    click.echo("The one-time password below is shown only now; each account must choose its own")
    click.echo("password at first sign-in.")
    click.echo(f"    one-time password: {result.password}")
    for email, role in result.accounts:
        click.echo(f"    {email:<32} {role}")
