"""Officers' overseas portfolio: the dashboard (with the selection-to-outcome link) and XLSX/CSV exports."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from nup.audit import services as audit
from nup.extensions import db
from nup.overseas import catalogue, portfolio
from nup.overseas import queries as overseas_queries
from nup.reports import outcomes, overseas_exports
from nup.web import client_ip, whole_number

bp = Blueprint("portfolio", __name__, url_prefix="/staff/overseas")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _call_arg() -> int | None:
    raw = request.args.get("call_id", "")
    return whole_number(raw)


@bp.get("/")
def dashboard():
    call_id = _call_arg()
    figures = portfolio.portfolio(call_id=call_id, language=str(get_locale()))
    study = outcomes.selection_outcomes(call_id, figures.by_application)
    return render_template(
        "overseas/dashboard.html",
        figures=figures,
        study=study,
        points=outcomes.scatter(study.rows),
        calls=overseas_queries.cohort_calls(),
        call_id=call_id,
        catalogue=catalogue,
    )


def _download(data: bytes, *, name: str, mimetype: str):
    """Record who took the file, commit, then send it (the record exists before the data leaves)."""
    audit.record(current_user._get_current_object(), "export.downloaded", None, detail=name, ip=client_ip())
    db.session.commit()
    response = send_file(BytesIO(data), as_attachment=True, download_name=name, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/portfolio.xlsx")
def export_xlsx():
    call_id = _call_arg()
    name = f"nup-overseas{'-call-' + str(call_id) if call_id else ''}.xlsx"
    return _download(overseas_exports.portfolio_xlsx(call_id), name=name, mimetype=XLSX_MIMETYPE)


@bp.get("/exports/<sheet>.csv")
def export_csv(sheet: str):
    if sheet not in overseas_exports.SHEETS:
        abort(404)
    call_id = _call_arg()
    name = f"nup-overseas-{sheet}{'-call-' + str(call_id) if call_id else ''}.csv"
    return _download(overseas_exports.portfolio_csv(sheet, call_id), name=name, mimetype="text/csv")
