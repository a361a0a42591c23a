"""The public front page, the signed-in dashboard by role, the privacy policy, health."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import text

from nup.applications.models import Application
from nup.config import PROJECT_ROOT
from nup.extensions import db
from nup.timeutil import utcnow

bp = Blueprint("home", __name__)
KRDS_RESOURCES = PROJECT_ROOT / "node_modules" / "krds-uiux" / "resources"
KRDS_SERVED = ("css", "fonts", "img", "js")


@bp.get("/")
def index():
    return render_template("home/index.html")


@bp.get("/dashboard")
def dashboard():
    context = {}
    if current_user.role == "applicant":
        from nup.applications.queries import visible_applications
        from nup.programmes.queries import public_calls
        from nup.reviews.cohort import selected_query

        now = utcnow()
        applications = db.session.scalars(
            visible_applications(current_user).order_by(Application.created_at.desc())
        ).all()
        mine = [a.id for a in applications]
        context = {
            "applications": applications,
            "selected_ids": {a.id for a in db.session.scalars(selected_query().where(Application.id.in_(mine)))},
            "open_calls": public_calls(now=now)["open"],
            "now": now,
        }
    if current_user.role == "mentor":
        return redirect(url_for("mentoring.mentor_home"))
    if current_user.role == "reviewer":
        from nup.reviews.queries import queue_counts

        context = {"counts": queue_counts(current_user)}
    return render_template(f"home/dashboard_{current_user.role}.html", **context)


@bp.get("/privacy")
def privacy():
    from nup.privacy.retention import RULES

    return render_template("home/privacy.html", rules=RULES)


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/assets/krds/<path:filename>")
def krds_asset(filename: str):
    """Serve the KRDS design system from the installed npm package (never copied in)."""
    if filename.split("/", 1)[0] not in KRDS_SERVED:
        abort(404)
    folder = Path(current_app.config.get("KRDS_DIR") or KRDS_RESOURCES)
    response = send_from_directory(folder, filename, max_age=86400)
    return response
