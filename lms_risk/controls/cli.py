"""``lms-risk import-controls FILE [--dry-run]``: load a control catalogue."""

from pathlib import Path

import click
from flask_babel import gettext as _

from ..auth.models import SystemActor
from ..core.logs import log_refusal
from ..core.uow import transactional_command
from .catalogue import MAX_CATALOGUE_BYTES
from .loading import LoadError, apply_plan, plan_catalogue, read_file


@click.command("import-controls")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@transactional_command
def import_controls_command(file: Path, dry_run: bool):
    """Load a control catalogue: a CISO Assistant YAML library (framework or mapping set) or our
    workbook. Loading the same file again changes nothing; a newer version updates texts, adds
    controls and retires the ones it no longer holds. Exits 1 (writing nothing) on any problem."""
    if file.stat().st_size > MAX_CATALOGUE_BYTES:  # the reader's own limit, as on the web
        raise click.ClickException(_(
            "%(file)s is te groot: een catalogus is hoogstens %(max)s MB",
            file=file.name, max=MAX_CATALOGUE_BYTES // 2**20))
    try:
        plan = plan_catalogue(read_file(file.name, file.read_bytes()))
    except LoadError as error:
        for where, why in error.problems:
            click.echo(f"fout: {where}: {why}", err=True)
        log_refusal("import", file=file.name, problems=len(error.problems))
        raise SystemExit(1)
    for where, why in plan.warnings:
        click.echo(f"waarschuwing: {where}: {why}", err=True)
    for fp in plan.frameworks:
        for _id, label in fp.retired:
            click.echo(f"ingetrokken: {fp.code} {label}")
    if not dry_run:
        apply_plan(plan, SystemActor())
    click.echo(("dry run: " if dry_run else "") + plan.summary())
