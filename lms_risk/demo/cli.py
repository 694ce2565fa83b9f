"""``lms-risk demo-data``."""

import os

import click

from ..core.uow import transactional_command
from .loader import DemoDataExists, load_demo_data


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise do nothing.")
@transactional_command
def demo_data(if_empty):
    """Load a realistic demo register and demo accounts."""
    try:
        result = load_demo_data()
    except DemoDataExists:
        if if_empty:
            click.echo("The database holds data already; no demo data loaded.")
            return
        raise click.ClickException("the database holds risks or users already; demo data not loaded")
    click.echo(f"Loaded {result.risks} demo risks with {result.changes} score changes.")
    click.echo("")
    port = os.environ.get("PORT", "5000")
    click.echo(f"Sign in at http://127.0.0.1:{port}/login with one of these accounts.")
    click.echo("The one-time password below is shown only now; each account must choose its own")
    click.echo("password at first sign-in.")
    click.echo(f"    one-time password: {result.password}")
    for email, role in result.accounts:
        click.echo(f"    {email:<32} {role}")
