"""The continuity forms, made from the field specifications (``fields.py``).

A plan's form has the plan fields and rows of recovery-step fields (``s-<n>-<name>``): the plan's
steps and three empty rows. An exercise's form has the exercise fields and its findings, one per
line."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import localized
from .fields import EXERCISE_FIELDS, PLAN_FIELDS, STEP_FIELDS, ExerciseData, PlanData, StepData

EMPTY_STEPS = 3


class _Base(FlaskForm):
    submit = SubmitField(_l("Opslaan"))


def make_plan_form(refs, steps: int, keep=None, **kwargs):
    class PlanForm(_Base):
        revision = HiddenField()  # the plan's revision the form was opened at

    PLAN_FIELDS.add_form_fields(PlanForm, refs, keep=keep or {})
    for n in range(1, steps + EMPTY_STEPS + 1):
        STEP_FIELDS.add_form_fields(PlanForm, refs, prefix=f"s-{n}-")
    form = PlanForm(**kwargs)
    form.step_count = steps + EMPTY_STEPS
    for n in range(1, form.step_count + 1):  # an empty row is no step: nothing required
        form[f"s-{n}-description"].validators = [Optional(), Length(max=2000)]
        form[f"s-{n}-description"].flags.required = False
    return form


def plan_values(plan, refs) -> dict:
    data = PLAN_FIELDS.values(plan, refs)
    data["revision"] = plan.revision
    for n, step in enumerate(plan.steps, 1):
        data.update({f"s-{n}-{k}": v for k, v in STEP_FIELDS.values(step, refs).items()})
    return data


def plan_data(form) -> PlanData:
    steps = []
    for n in range(1, form.step_count + 1):
        values = STEP_FIELDS.from_form(form, prefix=f"s-{n}-")
        if (values["description"] or "").strip() or values["responsible"] or \
                values["target_minutes"] is not None:
            steps.append(StepData(**values))
    return PlanData(**PLAN_FIELDS.from_form(form), steps=steps)


def form_revision(form) -> int | None:
    """The revision a plan's or an exercise's form was opened at (None: a form without one)."""
    value = (form.revision.data or "").strip()
    return int(value) if value.isdigit() else None


def make_exercise_form(refs, **kwargs):
    class ExerciseForm(_Base):
        revision = HiddenField()  # the exercise's revision the form was opened at
        findings = TextAreaField(_l("Bevindingen"), validators=[Optional()],
                                 description=_l("Eén bevinding per regel."))

    EXERCISE_FIELDS.add_form_fields(ExerciseForm, refs)
    return ExerciseForm(**kwargs)


def exercise_values(exercise, refs) -> dict:
    data = EXERCISE_FIELDS.values(exercise, refs)
    data["findings"] = "\n".join(f.description for f in exercise.findings)
    data["revision"] = exercise.revision
    return data


def exercise_data(form) -> ExerciseData:
    findings = [line.strip() for line in (form.findings.data or "").splitlines() if line.strip()]
    return ExerciseData(**EXERCISE_FIELDS.from_form(form), findings=findings)


def _choices(pairs) -> list:
    return [SelectChoice(value, label) for value, label in pairs]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def make_finding_risk_form(refs, **kwargs):
    likelihoods = _choices([(c.value, f"{c.value} – {localized(c, 'label')}")
                            for c in refs.likelihoods])

    class FindingRiskForm(FlaskForm):
        title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=300)])
        description = TextAreaField(_l("Beschrijving"), validators=[Optional()])
        bruto_likelihood = SelectField(_l("Bruto kans"), choices=likelihoods, coerce=int)
        netto_likelihood = SelectField(_l("Netto kans"), choices=likelihoods, coerce=int)
        submit = SubmitField(_l("Risico aanmaken"))

    return FindingRiskForm(**kwargs)


class LinkRiskForm(FlaskForm):
    risk = StringField(_l("Risicocode"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Koppelen"))


class LinkPlanForm(FlaskForm):
    plan = StringField(_l("Plancode"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Plan koppelen"))


def make_bia_form(bias, **kwargs):
    class PlanBiaForm(FlaskForm):
        bia = SelectField(_l("BIA"), coerce=_int_or_none, validators=[Optional()],
                          choices=_choices([("", _l("– geen –"))]
                                           + [(b.id, f"{b.code} {b.subject}") for b in bias]))
        submit = SubmitField(_l("Opslaan"))

    return PlanBiaForm(**kwargs)
