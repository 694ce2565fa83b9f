"""The long select (every BIA in a link or dependency form) writes exactly what WTForms' own
select writes: the same options, escaping and selection, only without its per-option objects."""

from wtforms.widgets import Select

from lms_risk.bia.forms import BiaLinkForm, make_dependency_form


class _Bia:
    def __init__(self, id_, code, subject):
        self.id, self.code, self.subject = id_, code, subject


class _Refs:
    class voorzieningen:  # noqa: N801 (stands in for refdata's list)
        active = []


def _both(field) -> tuple[str, str]:
    ours = str(field())
    field.widget = Select()
    return ours, str(field())


def test_the_long_select_writes_what_wtforms_writes(app):
    with app.test_request_context("/", method="POST",
                                  data={"bia": 'B<2"', "target_bia_id": "2"}):
        link = BiaLinkForm(meta={"csrf": False})
        link.bia.choices = [("", "–"), ("B1", "B1 a&b"), ('B<2"', "<script>x</script>")]
        ours, theirs = _both(link.bia)
        assert ours == theirs
        assert '<option selected value="B&lt;2&#34;">&lt;script&gt;' in ours

        dependency = make_dependency_form([_Bia(1, "BIA-0001", "Eén"), _Bia(2, "BIA-0002", "<b>")],
                                          _Refs, meta={"csrf": False})
        ours, theirs = _both(dependency.target_bia_id)
        assert ours == theirs
        assert '<option selected value="2">BIA-0002 &lt;b&gt;</option>' in ours


def test_options_with_attributes_go_wtforms_way(app):
    from wtforms import SelectChoice
    with app.test_request_context("/"):
        link = BiaLinkForm(meta={"csrf": False})
        link.bia.choices = [SelectChoice("", "–"), SelectChoice("B1", "B1",
                                                                render_kw={"disabled": True})]
        ours, theirs = _both(link.bia)
        assert ours == theirs and "disabled" in ours
