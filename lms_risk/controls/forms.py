"""The controls' forms (WTForms), built from the implementation's field specification."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ..i18n import localized
from .fields import FIELD_LABELS, LINK_LABELS, STATUS_LABELS
from .models import STATUSES
from .services import FIELDS, ImplementationData


def _choices(pairs) -> list:
    return [SelectChoice(value, label) for value, label in pairs]


class ImplementationForm(FlaskForm):
    revision = HiddenField()  # the implementation's revision the form was opened at (0: none yet)
    applicable = BooleanField(FIELD_LABELS["applicable"])
    reason = TextAreaField(FIELD_LABELS["reason"], validators=[Length(max=2000)],
                           description=_l("Verplicht als de maatregel niet van toepassing is "
                                          "(Verklaring van Toepasselijkheid)."))
    status = SelectField(FIELD_LABELS["status"],
                         choices=_choices((s, STATUS_LABELS[s]) for s in STATUSES))
    owner = StringField(FIELD_LABELS["owner"], validators=[Length(max=200)])
    discipline_id = SelectField(FIELD_LABELS["discipline_id"], coerce=lambda v: int(v) if v else None,
                                validate_choice=False)
    evidence = TextAreaField(FIELD_LABELS["evidence"], validators=[Length(max=5000)])
    evidence_link = StringField(FIELD_LABELS["evidence_link"], validators=[Length(max=500)])
    last_checked = DateField(FIELD_LABELS["last_checked"], validators=[Optional()])
    next_check = DateField(FIELD_LABELS["next_check"], validators=[Optional()])


def make_implementation_form(refs, data: ImplementationData | None = None, **kwargs):
    form = ImplementationForm(obj=data, **kwargs)
    form.discipline_id.choices = _choices(
        [("", "–")] + [(d.id, f"{d.code} · {localized(d)}") for d in refs.disciplines.active])
    return form


def form_revision(form: ImplementationForm) -> int | None:
    """The revision the form was opened at (None: a form without one)."""
    value = (form.revision.data or "").strip()
    return int(value) if value.isdigit() else None


def implementation_data(form: ImplementationForm) -> ImplementationData:
    values = {name: form[name].data for name in FIELDS}
    values["reason"] = (values["reason"] or "").strip()
    values["owner"] = (values["owner"] or "").strip()
    values["evidence"] = (values["evidence"] or "").strip()
    values["evidence_link"] = (values["evidence_link"] or "").strip()
    return ImplementationData(**values)


class BulkForm(FlaskForm):
    scope = HiddenField()
    status = SelectField(FIELD_LABELS["status"], choices=_choices([("", _l("(ongewijzigd)"))]
                                          + [(s, STATUS_LABELS[s]) for s in STATUSES]))
    owner = StringField(FIELD_LABELS["owner"], validators=[Length(max=200)])
    next_check = DateField(FIELD_LABELS["next_check"], validators=[Optional()])


class LinkRiskForm(FlaskForm):
    risk = StringField(_l("Risicocode"), validators=[Length(max=20)])
    kind = SelectField(FIELD_LABELS["kind"], choices=_choices(LINK_LABELS.items()))


class LevelForm(FlaskForm):
    scope = HiddenField()
    bbn_level = SelectField(FIELD_LABELS["bbn_level"],
                            choices=_choices([("", _l("uit de BIA")), ("1", "BBN1"),
                                              ("2", "BBN2"), ("3", "BBN3")]))


class UploadForm(FlaskForm):
    file = FileField(_l("Catalogus (.yaml, .yml of .xlsx)"), validators=[
        FileRequired(_l("Kies een bestand.")),
        FileAllowed(["yaml", "yml", "xlsx"], _l("Alleen YAML-bibliotheken of Excel-werkmappen."))])


class ConfirmForm(FlaskForm):
    token = HiddenField()
