"""The ``lms-risk`` command: Flask's CLI (run, shell, db …) plus the commands features declare."""

import click
from flask.cli import FlaskGroup

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """lms-risk: the collective risk register of the Dutch meldkamers."""
