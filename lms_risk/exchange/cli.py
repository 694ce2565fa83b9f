"""``lms-risk export-register``, ``import-register`` and ``export-template``."""

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ..auth.models import SystemActor, User
from ..core.logs import log_refusal
from ..core.uow import transactional_command
from ..extensions import db
from ..risks.register import RegisterFilter
from .workbook import apply_import, export_register, export_template, plan_file

FILTERS = ("discipline", "meldkamer", "voorziening", "category", "status", "level", "owner", "q",
           "basis", "sort")


def _actor(email: str | None):
    if not email:
        return SystemActor()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email}")
    return user


def _filter_options(command):
    for name in reversed(FILTERS):
        command = click.option(f"--{name}", default=None,
                               help=f"Register filter '{name}', as in the URL of /risks.")(command)
    return command


@click.command("export-register")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@_filter_options
@click.option("--as", "as_email", help="Export as this user (history only for roles that see it).")
@transactional_command
def export_register_command(out: Path, as_email, **filters):
    """Write the register (or the part the filters select) to OUT.xlsx."""
    args = {k: v for k, v in filters.items() if v is not None}
    args.setdefault("discipline", "all")
    flt = RegisterFilter.from_args(args)
    if flt.problems:
        raise click.ClickException("unknown filter values: " + ", ".join(flt.problems))
    result = export_register(out, flt, _actor(as_email))
    click.echo(f"{out}: {result.risks} risks, {result.history} score changes, "
               f"{len(result.sheets)} sheets")


@click.command("export-template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                default=Path("imports/risicoregister-template.xlsx"))
@transactional_command
def export_template_command(out: Path):
    """Write the blank import template (default imports/risicoregister-template.xlsx)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    export_template(out)
    click.echo(f"{out}: blank register template")


@click.command("import-register")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--as", "as_email", help="Import as this user (their permissions apply).")
@click.option("--verbose", "-v", is_flag=True, help="List every new and changed risk.")
@transactional_command
def import_register_command(file: Path, dry_run: bool, as_email, verbose: bool):
    """Import the Register sheet of FILE.xlsx: new codes create risks, known codes update them.

    Ends with one line new=N changed=N unchanged=N conflicts=N errors=N; exits 1 when anything
    was refused (then nothing is written)."""
    user = _actor(as_email)
    plan = plan_file(file.read_bytes(), file.name, user, current_app.config)
    for message in plan.all_errors:
        click.echo(f"fout: {message}", err=True)
    for conflict in plan.conflicts:
        click.echo(f"conflict: rij {conflict.row} {conflict.code}: versie {conflict.file_version} "
                   f"in het bestand, {conflict.database_version} in het register", err=True)
    for message in plan.warnings:
        click.echo(f"waarschuwing: {message}", err=True)
    if verbose:
        for change in plan.new:
            click.echo(f"nieuw: {change.code} {change.title}")
        for change in plan.changed:
            fields = "; ".join(f"{h}: {o!s:.30} → {n!s:.30}" for h, o, n in change.fields)
            click.echo(f"gewijzigd: {change.code} {fields}")
    if not plan.refused and not dry_run:
        apply_import(plan, user)
    click.echo(plan.summary())
    if plan.refused:
        log_refusal("import", file=file.name, summary=plan.summary())
        raise SystemExit(1)


COMMANDS = (export_register_command, export_template_command, import_register_command)
