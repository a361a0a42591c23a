"""The yearly mentor review page: mentoring figures beside the mentored startups' overseas results."""

from __future__ import annotations

from flask import render_template, request

from nup.mentoring import statements
from nup.mentoring.officer_views import bp
from nup.overseas import portfolio
from nup.timeutil import to_kst, utcnow


@bp.get("/review")
def review():
    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else to_kst(utcnow()).year
    # The startups' progress: what their accepted KPI reports show (all time, as mentoring is ongoing).
    progress = {app_id: (f.outcome_won, f.jobs) for app_id, f in portfolio.outcomes_by_application().items()}
    rows = statements.yearly_review(year, progress=progress)
    return render_template("mentoring/admin_review.html", rows=rows, year=year)
