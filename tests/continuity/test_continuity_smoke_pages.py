"""The continuity pages render for a reader, with a plan, an exercise and its findings."""

from datetime import date, timedelta

from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401


def test_every_page_renders(client, auth, make_plan, make_exercise, make_rto_bia, make_risk):
    bia = make_rto_bia("GMS", rto=30, voorziening="GMS")
    plan = make_plan("Uitwijk GMS Rotterdam", voorziening="GMS", fallback="DH", target=20,
                     bia=bia, steps=[("Besluit uitwijk", 5), ("Overdracht", 20)])
    exercise = make_exercise(plan, achieved=45, findings=["Wachtwoorden ontbraken"],
                             held_on=date.today() - timedelta(days=10))
    risk = make_risk("Uitval GMS", likelihood=4, AMB=(5, 5))
    auth.login("chair")
    for url in ("/continuity", "/continuity/plans", f"/continuity/plans/{plan.code}",
                f"/continuity/plans/{plan.code}/edit", "/continuity/plans/new",
                f"/continuity/plans/{plan.code}/exercises/new",
                f"/continuity/exercises/{exercise.code}",
                f"/continuity/exercises/{exercise.code}/edit",
                f"/continuity/findings/{exercise.findings[0].id}/risk",
                f"/risks/{risk.code}", "/continuity/overview.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[-3000:])
