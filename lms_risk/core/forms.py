"""Forms every feature uses."""

from flask import flash
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Only the CSRF token: for POST buttons such as logout and delete."""


def show_errors(form, errors: dict, prefixes: dict | None = None, label=None) -> None:
    """A service's errors (``{key: message}``) on the form's fields; what has no field is flashed,
    after ``label(key)`` when given.

    A key's field: ``prefixes`` first renames its start (``{"grid.": "g-"}``: ``grid.3.4`` →
    ``g-3-4``), then dots become dashes (``AMB.netto_impact`` → ``AMB-netto_impact``). An error on
    one item of a list field the form has as a whole (``findings.2``) goes on that field."""
    for key, message in errors.items():
        name = key
        for old, new in (prefixes or {}).items():
            if name.startswith(old):
                name = new + name[len(old):]
                break
        name = name.replace(".", "-")
        if form is not None and name not in form:
            name = name.split("-", 1)[0]
        if form is not None and name in form:
            form[name].errors = list(form[name].errors) + [str(message)]
        else:
            flash(f"{label(key)}: {message}" if label else str(message), "danger")
