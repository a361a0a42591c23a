"""Startups' overseas-support pages: my plan, my milestones, filing and correcting KPI reports, evidence."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.overseas import catalogue, currency, evidence, kpi_reports, queries, services
from nup.overseas.forms import EvidenceForm, MilestoneSubmitForm, ReportForm
from nup.overseas.models import KpiReport, ReportStatus, SupportPlan
from nup.timeutil import to_kst, utcnow
from nup.web import client_ip, domain_error_text, show_domain_error

bp = Blueprint("overseas", __name__, url_prefix="/overseas")


@bp.app_context_processor
def overseas_helpers() -> dict:
    """Country names and foreign amounts for every overseas template (and the dashboard in reports)."""
    return {
        "country": lambda code: catalogue.country_name(code, str(get_locale())),
        "money": currency.format_amount,
        "overseas_catalogue": catalogue,
    }


def _me():
    return current_user._get_current_object()


def _own_plan(plan_id: int) -> SupportPlan:
    return queries.plan_visible_or_404(_me(), plan_id)  # another firm's plan is as good as not there


def _own_report(report_id: int) -> KpiReport:
    return queries.report_visible_or_404(_me(), report_id)


def report_form_choices(form: ReportForm, plan: SupportPlan, periods=None) -> ReportForm:
    """Fill the select lists of a report form for this plan, in the page's language."""
    language = str(get_locale())
    if periods is not None:
        form.period.choices = [(p.label, p.label) for p in periods]
    countries = catalogue.country_choices(language)
    form.market.choices = countries
    form.entity_country.choices = [("", "—"), *countries]
    form.currency.choices = currency.currency_choices(language)
    return form


def _values(form: ReportForm) -> dict:
    return {
        name: getattr(form, name).data
        for name in (
            "period",
            "market",
            "currency",
            "exchange_rate",
            "rate_source",
            "export_contracts",
            "export_value",
            "overseas_sales",
            "investment",
            "jobs_overseas",
            "jobs_domestic",
            "entity_established",
            "entity_country",
            "entity_established_on",
            "narrative",
        )
    }


@bp.get("")
def my_plans():
    plans = db.session.scalars(queries.visible_plans(_me()).order_by(SupportPlan.id.desc())).all()
    if len(plans) == 1:
        return redirect(url_for(".plan", plan_id=plans[0].id))
    return render_template("overseas/my_plans.html", plans=plans)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    plan = _own_plan(plan_id)
    bundle = queries.bundle(plan)
    today = to_kst(utcnow()).date()
    return render_template(
        "overseas/plan.html",
        bundle=bundle,
        plan=plan,
        today=today,
        open_periods=queries.open_periods(plan, bundle.reports, today=today),
        evidence_form=EvidenceForm(formdata=None),
        submit_form=MilestoneSubmitForm(formdata=None),
        catalogue=catalogue,
    )


@bp.route("/plans/<int:plan_id>/reports/new", methods=["GET", "POST"])
def new_report(plan_id: int):
    plan = _own_plan(plan_id)
    today = to_kst(utcnow()).date()
    periods = queries.open_periods(plan, queries.bundle(plan).reports, today=today)
    form = report_form_choices(ReportForm(), plan, periods)
    if request.method == "GET":
        form.period.data = request.args.get("period") or (periods[-1].label if periods else "")
        form.market.data = (plan.target_countries or [""])[0]
    elif form.validate_on_submit():
        try:
            report = kpi_reports.file_report(plan, actor=_me(), values=_values(form), now=utcnow())
            if getattr(report, "created_now", False) and form.file.data and form.file.data.filename:
                evidence.upload_evidence(
                    plan,
                    actor=_me(),
                    stream=form.file.data.stream,
                    filename=form.file.data.filename,
                    report=report,
                    now=utcnow(),
                )
        except kpi_reports.DuplicateReport as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".report", report_id=error.existing_id))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Your report for %(period)s is submitted. The programme office will review it.",
                    period=report.period_label,
                ),
                "success",
            )
            return redirect(url_for(".report", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render_template("overseas/report_form.html", form=form, plan=plan, report=None, periods=periods), status


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def report(report_id: int):
    report = _own_report(report_id)
    plan = report.plan
    form = report_form_choices(ReportForm(obj=None if request.method == "POST" else _prefill(report)), plan)
    form.period.choices = [(report.period_label, report.period_label)]
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                kpi_reports.correct_report(
                    report, actor=_me(), values=_values(form), version=form.version.data or None, now=utcnow()
                )
                if form.file.data and form.file.data.filename:
                    evidence.upload_evidence(
                        plan,
                        actor=_me(),
                        stream=form.file.data.stream,
                        filename=form.file.data.filename,
                        report=report,
                        now=utcnow(),
                    )
            except DomainError as error:
                db.session.rollback()
                show_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("Your corrected report is submitted again."), "success")
                return redirect(url_for(".report", report_id=report.id))
        return render_template("overseas/report_form.html", form=form, plan=plan, report=report, periods=[]), 422
    if report.status == ReportStatus.RETURNED:
        return render_template("overseas/report_form.html", form=form, plan=plan, report=report, periods=[])
    return render_template(
        "overseas/report.html", report=report, plan=plan, evidence_form=EvidenceForm(formdata=None), staff=False
    )


class _Prefill:
    """A report's stored values in the shape of the form's fields (amounts back in their currency)."""

    def __init__(self, report: KpiReport):
        from nup.overseas.currency import from_minor

        self.version = report.version
        self.period = report.period_label
        for name in (
            "market",
            "currency",
            "exchange_rate",
            "rate_source",
            "export_contracts",
            "jobs_overseas",
            "jobs_domestic",
            "entity_established",
            "entity_country",
            "entity_established_on",
            "narrative",
        ):
            setattr(self, name, getattr(report, name))
        for name in kpi_reports.MONEY_FIELDS:
            setattr(self, name, str(from_minor(getattr(report, f"{name}_minor"), report.currency)))


def _prefill(report: KpiReport) -> _Prefill:
    return _Prefill(report)


@bp.post("/reports/<int:report_id>/evidence")
def report_evidence(report_id: int):
    report = _own_report(report_id)
    return _upload(report.plan, url_for(".report", report_id=report.id), report=report)


@bp.post("/milestones/<int:milestone_id>/evidence")
def milestone_evidence(milestone_id: int):
    milestone = queries.milestone(milestone_id) or abort(404)
    plan = _own_plan(milestone.plan_id)
    return _upload(plan, url_for(".plan", plan_id=plan.id) + f"#milestone-{milestone.id}", milestone=milestone)


def _upload(plan: SupportPlan, back: str, **target):
    form = EvidenceForm()
    if not form.validate_on_submit() or not form.file.data or not form.file.data.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(back)
    try:
        evidence.upload_evidence(
            plan, actor=_me(), stream=form.file.data.stream, filename=form.file.data.filename, now=utcnow(), **target
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The evidence file is uploaded."), "success")
    return redirect(back)


@bp.post("/milestones/<int:milestone_id>/submit")
def submit_milestone(milestone_id: int):
    milestone = queries.milestone(milestone_id) or abort(404)
    plan = _own_plan(milestone.plan_id)
    form = MilestoneSubmitForm()
    back = url_for(".plan", plan_id=plan.id) + f"#milestone-{milestone.id}"
    if not form.validate_on_submit():
        abort(400)
    try:
        services.submit_milestone(milestone, actor=_me(), note=form.note.data or "", now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The milestone is reported done. The programme office will confirm it."), "success")
    return redirect(back)


@bp.get("/evidence/<int:evidence_id>")
def download_evidence(evidence_id: int):
    """An evidence file, to its firm and to officers only, always as a download."""
    item = queries.evidence(evidence_id) or abort(404)
    plan = queries.plan_visible_or_404(_me(), item.plan_id)
    if _me().id != plan.user_id:
        audit.record(_me(), "overseas.evidence_downloaded", item, ip=client_ip())
        db.session.commit()
    path = evidence.path_of(item, plan)
    if not Path(path).is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename, max_age=0)
