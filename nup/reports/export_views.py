"""Officers' downloads of evaluation records: every score (XLSX, CSV) and a summary sheet (PDF)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, abort, request, send_file
from flask_login import current_user

from nup.applications.models import Application
from nup.applications.queries import application_visible_or_404
from nup.audit import services as audit
from nup.extensions import db
from nup.programmes.models import Call
from nup.reports import evaluation_summary, mentoring_statements, review_exports
from nup.reviews.models import Stage
from nup.timeutil import utcnow
from nup.web import client_ip, month_arg

bp = Blueprint("exports", __name__, url_prefix="/staff")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stage_arg() -> str:
    stage = request.args.get("stage") or Stage.DOCUMENT
    if stage not in set(Stage):
        abort(404)
    return stage


def _download(data: bytes, *, about: Call | Application, name: str, mimetype: str, stage: str) -> Response:
    """Record who took the file, commit, then send it (the record exists before the data leaves)."""
    audit.record(
        current_user._get_current_object(), "export.downloaded", about, detail=f"{name} ({stage})", ip=client_ip()
    )
    db.session.commit()
    response = send_file(BytesIO(data), as_attachment=True, download_name=name, mimetype=mimetype)
    # Evaluator names and scores are personal data: no copy may stay in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calls/<int:call_id>/exports/scores.xlsx")
def scores_xlsx(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    stage = _stage_arg()
    data = review_exports.scores_xlsx(call, stage, now=utcnow())
    name = f"nup-call-{call.id}-{stage}-scores.xlsx"
    return _download(data, about=call, name=name, mimetype=XLSX_MIMETYPE, stage=stage)


@bp.get("/calls/<int:call_id>/exports/scores.csv")
def scores_csv(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    stage = _stage_arg()
    data = review_exports.scores_csv(call, stage)
    name = f"nup-call-{call.id}-{stage}-scores.csv"
    return _download(data, about=call, name=name, mimetype="text/csv", stage=stage)


@bp.get("/applications/<int:application_id>/evaluation-summary.pdf")
def summary_pdf(application_id: int):
    application = application_visible_or_404(current_user._get_current_object(), application_id)
    stage = _stage_arg()
    data = evaluation_summary.summary_pdf(application, stage, now=utcnow())
    name = f"nup-application-{application.id}-{stage}-evaluation-summary.pdf"
    return _download(data, about=application, name=name, mimetype="application/pdf", stage=stage)


@bp.get("/mentoring/statements.xlsx")
def mentoring_statement_xlsx():
    """The monthly mentoring-fee statement (`month=YYYY-MM`, KST; this month by default)."""
    first = month_arg()
    data = mentoring_statements.statement_xlsx(first)
    audit.record(
        current_user._get_current_object(),
        "export.downloaded",
        None,
        detail=f"mentoring statement {first:%Y-%m}",
        ip=client_ip(),
    )
    db.session.commit()
    response = send_file(
        BytesIO(data), as_attachment=True, download_name=f"nup-mentoring-{first:%Y-%m}.xlsx", mimetype=XLSX_MIMETYPE
    )
    response.headers["Cache-Control"] = "no-store"
    return response
