"""The risk form, made from the field specification (``fields.py``).

Impact fields are made per discipline: ``<CODE>-applies``, ``<CODE>-bruto_impact``, …"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .fields import IMPACT_FIELDS, RISK_FIELDS, ImpactData, RiskData


class RiskFormBase(FlaskForm):
    reason = StringField(_l("Reden van wijziging"), validators=[Optional(), Length(max=500)],
                         description=_l("Verplicht wanneer u een score wijzigt (kans, van "
                                        "toepassing of impact); wordt bij elke gewijzigde score "
                                        "in de historie bewaard."))
    version = HiddenField()
    submit = SubmitField(_l("Opslaan"))


class ArchiveForm(FlaskForm):
    """Archive a risk (prefix "archive"): the reason is required."""

    reason = TextAreaField(_l("Reden van archiveren"), validators=[
        DataRequired(_l("Geef een reden.")), Length(max=500)],
        description=_l("Het risico verdwijnt uit het register, de heatmaps en de export. De "
                       "scorehistorie en de audittrail blijven bewaard; het risico is terug te "
                       "vinden onder Status: Gearchiveerd en te herstellen."))


class RestoreForm(FlaskForm):
    """Bring an archived risk back (prefix "restore"); the reason is optional."""

    reason = StringField(_l("Reden van herstellen (optioneel)"),
                         validators=[Optional(), Length(max=500)])


class DeleteForm(FlaskForm):
    """Delete a risk for good (prefix "delete", administrators only): the reason is required."""

    reason = TextAreaField(_l("Reden van verwijderen"), validators=[
        DataRequired(_l("Geef een reden.")), Length(max=500)],
        description=_l("Alleen voor een beheerder: het risico en zijn scorehistorie verdwijnen "
                       "voorgoed. De audittrail bewaart wat er stond."))


def make_risk_form(refs, disciplines, keep=None, **kwargs) -> RiskFormBase:
    """A form class with the risk's fields and impact fields for each of ``disciplines``,
    instantiated with ``kwargs``. ``keep``: {field: codes} of inactive reference items that the
    risk already has, so that editing it does not drop them."""

    class RiskForm(RiskFormBase):
        pass

    RISK_FIELDS.add_form_fields(RiskForm, refs, keep=keep or {})
    for d in disciplines:
        IMPACT_FIELDS.add_form_fields(RiskForm, refs, prefix=f"{d.code}-")
    return RiskForm(**kwargs)


def form_values(risk, refs) -> dict:
    """The form's initial values for ``risk``."""
    data = RISK_FIELDS.values(risk, refs)
    data["version"] = risk.version
    for impact in risk.impacts:
        code = refs.disciplines.by_id[impact.discipline_id].code
        data.update({f"{code}-{k}": v for k, v in IMPACT_FIELDS.values(impact, refs).items()})
    return data


def risk_data(form, disciplines) -> RiskData:
    """The form as RiskData, with the impacts of ``disciplines``."""
    impacts = {d.code: ImpactData(**IMPACT_FIELDS.from_form(form, prefix=f"{d.code}-"))
               for d in disciplines}
    return RiskData(**RISK_FIELDS.from_form(form), impacts=impacts)
