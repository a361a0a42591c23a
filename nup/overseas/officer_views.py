"""Officers' overseas-support pages: plans, items and spend, milestones, report review, checks, reporting settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from nup.applications.models import Application
from nup.errors import DomainError
from nup.extensions import db
from nup.overseas import catalogue, checks, currency, kpi_reports, queries, services
from nup.overseas import reporting as reporting_settings
from nup.overseas.forms import (
    CheckForm,
    DecisionForm,
    FollowUpForm,
    ItemForm,
    MilestoneForm,
    MilestoneStatusForm,
    PlanForm,
    ReportingForm,
    SpendForm,
)
from nup.overseas.models import CheckKind, PlanCheck, SupportPlan
from nup.programmes.models import Call
from nup.reviews.cohort import is_selected
from nup.timeutil import to_kst, utcnow
from nup.web import domain_error_text, form_errors_text, page_arg, per_page_arg, show_domain_error, whole_number

bp = Blueprint("overseas_admin", __name__, url_prefix="/staff/overseas")


def _me():
    return current_user._get_current_object()


def _plan(plan_id: int) -> SupportPlan:
    return queries.plan_visible_or_404(_me(), plan_id)


def _language() -> str:
    return str(get_locale())


def _plan_form(form: PlanForm) -> PlanForm:
    form.target_countries.choices = catalogue.country_choices(_language())
    return form


def _forms(plan: SupportPlan, bundle: queries.PlanBundle, **given):
    item_form = given.get("item_form") or ItemForm(formdata=None)
    item_form.country.choices = [("", "—"), *catalogue.country_choices(_language())]
    spend_form = given.get("spend_form") or SpendForm(formdata=None)
    spend_form.currency.choices = currency.currency_choices(_language())
    milestone_form = given.get("milestone_form") or MilestoneForm(formdata=None)
    milestone_form.item_id.choices = [("", "—")] + [
        (str(i.id), f"{catalogue.label(catalogue.ITEM_KINDS, i.kind)} {i.partner}") for i in bundle.items
    ]
    plan_form = given.get("plan_form") or _plan_form(PlanForm(formdata=None, obj=plan))
    _plan_form(plan_form)
    return {"item_form": item_form, "spend_form": spend_form, "milestone_form": milestone_form, "plan_form": plan_form}


def _plan_page(plan: SupportPlan, status: int = 200, **given):
    bundle = queries.bundle(plan)
    today = to_kst(utcnow()).date()
    return (
        render_template(
            "overseas/staff_plan.html",
            plan=plan,
            bundle=bundle,
            today=today,
            status_form=MilestoneStatusForm(formdata=None),
            catalogue=catalogue,
            **_forms(plan, bundle, **given),
        ),
        status,
    )


@bp.get("/plans")
def plans():
    at_risk = {"yes": True, "no": False}.get(request.args.get("at_risk", ""))
    call_id = request.args.get("call_id", type=int)
    q = (request.args.get("q") or "")[:100]
    pagination = queries.paginate_plans(
        page=page_arg(), per_page=per_page_arg(), call_id=call_id, at_risk=at_risk, q=q, actor=_me()
    )
    return render_template(
        "overseas/staff_plans.html",
        pagination=pagination,
        spent=queries.spent_by_plan([p.id for p in pagination.items]),
        unplanned=queries.unplanned_selected(call_id),
        calls=queries.cohort_calls(),
        call_id=call_id,
        at_risk=request.args.get("at_risk", ""),
        q=q,
        catalogue=catalogue,
    )


@bp.route("/plans/new/<int:application_id>", methods=["GET", "POST"])
def new_plan(application_id: int):
    application = db.session.get(Application, application_id) or abort(404)
    if not is_selected(application.id):
        abort(404)
    form = _plan_form(PlanForm())
    if request.method == "GET":
        form.target_countries.data = [c for c in (application.target_markets or []) if c in catalogue.COUNTRIES]
    elif form.validate_on_submit():
        try:
            plan = services.create_plan(
                application,
                actor=_me(),
                starts_on=form.starts_on.data,
                months=form.months.data,
                budget_won=form.budget_won.data,
                target_countries=form.target_countries.data,
                agreement_number=form.agreement_number.data or "",
                notes=form.notes.data or "",
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The agreement and support plan are saved. Add the support items next."), "success")
            return redirect(url_for(".plan", plan_id=plan.id))
    status = 422 if request.method == "POST" else 200
    return render_template("overseas/staff_new_plan.html", form=form, application=application), status


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plan(plan_id: int):
    plan = _plan(plan_id)
    if request.method == "GET":
        return _plan_page(plan)
    form = _plan_form(PlanForm())
    if form.validate_on_submit():
        values = {
            "agreement_number": form.agreement_number.data or "",
            "starts_on": form.starts_on.data,
            "months": form.months.data,
            "budget_won": form.budget_won.data,
            "target_countries": form.target_countries.data,
            "status": form.status.data,
            "notes": form.notes.data or "",
        }
        saved = _saved(
            form,
            lambda: services.update_plan(
                plan, actor=_me(), values=values, version=form.version.data or None, now=utcnow()
            ),
            success=_("The agreement is updated."),
            then=url_for(".plan", plan_id=plan.id),
        )
        if saved:
            return saved
    return _plan_page(_plan(plan_id), 422, plan_form=form)


def _saved(form, action, *, success: str, then: str):
    """Run a service for a validated form: commit and go to `then`, or roll back and mark the form (None)."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(then)


@bp.post("/plans/<int:plan_id>/items")
def add_item(plan_id: int):
    plan = _plan(plan_id)
    form = ItemForm()
    form.country.choices = [("", "—"), *catalogue.country_choices(_language())]
    if form.validate_on_submit():
        values = {
            k: getattr(form, k).data
            for k in ("kind", "partner", "country", "budget_won", "starts_on", "ends_on", "description")
        }
        saved = _saved(
            form,
            lambda: services.add_item(
                plan, actor=_me(), values=values, request_key=form.request_key.data, now=utcnow()
            ),
            success=_("The support item is added."),
            then=url_for(".plan", plan_id=plan.id) + "#items",
        )
        if saved:
            return saved
    return _plan_page(_plan(plan_id), 422, item_form=form)


@bp.post("/items/<int:item_id>/spend")
def record_spend(item_id: int):
    item = queries.item(item_id) or abort(404)
    form = SpendForm()
    form.currency.choices = currency.currency_choices(_language())
    if form.validate_on_submit():
        try:
            services.record_spend(
                item,
                actor=_me(),
                spent_on=form.spent_on.data,
                currency_code=form.currency.data,
                amount=form.amount.data,
                rate=form.rate.data,
                description=form.description.data or "",
                request_key=form.request_key.data,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("The spending is recorded."), "success")
    else:
        flash(form_errors_text(form), "error")
    return redirect(url_for(".plan", plan_id=item.plan_id) + "#items")


@bp.post("/plans/<int:plan_id>/milestones")
def add_milestone(plan_id: int):
    plan = _plan(plan_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        item_id = whole_number(form.item_id.data)
        saved = _saved(
            form,
            lambda: services.add_milestone(
                plan, actor=_me(), title=form.title.data, due_on=form.due_on.data, item_id=item_id, now=utcnow()
            ),
            success=_("The milestone is added."),
            then=url_for(".plan", plan_id=plan.id) + "#milestones",
        )
        if saved:
            return saved
    return _plan_page(_plan(plan_id), 422, milestone_form=form)


@bp.post("/milestones/<int:milestone_id>/status")
def milestone_status(milestone_id: int):
    milestone = queries.milestone(milestone_id) or abort(404)
    form = MilestoneStatusForm()
    if form.validate_on_submit():
        try:
            services.set_milestone_status(
                milestone, actor=_me(), status=form.status.data, note=form.note.data or "", now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("The milestone is updated."), "success")
    else:
        flash(form_errors_text(form), "error")
    return redirect(url_for(".plan", plan_id=milestone.plan_id) + "#milestones")


@bp.get("/reports")
def reports():
    status = request.args.get("status", "submitted")
    status = status if status in catalogue.REPORT_STATUSES else None
    pagination = queries.paginate_reports(page=page_arg(), per_page=per_page_arg(), status=status, actor=_me())
    return render_template(
        "overseas/staff_reports.html", pagination=pagination, status=status or "", catalogue=catalogue
    )


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def report(report_id: int):
    report = queries.report_visible_or_404(_me(), report_id)
    form = DecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            kpi_reports.decide_report(
                report,
                actor=_me(),
                accept=form.decision.data == "accept",
                comment=form.comment.data or "",
                version=form.version.data or None,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The report is accepted.")
                if form.decision.data == "accept"
                else _("The report is returned to the startup with your comment."),
                "success",
            )
            return redirect(url_for(".report", report_id=report_id))
        report = queries.report(report_id)
    if request.method == "GET":
        form = DecisionForm(formdata=None, version=report.version)
    status = 422 if request.method == "POST" else 200
    return render_template("overseas/report.html", report=report, plan=report.plan, form=form, staff=True), status


@bp.route("/plans/<int:plan_id>/checks/<kind>", methods=["GET", "POST"])
def check(plan_id: int, kind: str):
    plan = _plan(plan_id)
    if kind not in set(CheckKind):
        abort(404)
    existing = db.session.scalar(db.select(PlanCheck).where(PlanCheck.plan_id == plan.id, PlanCheck.kind == kind))
    form = CheckForm(obj=existing) if request.method == "GET" else CheckForm()
    if request.method == "POST" and form.validate_on_submit():
        values = {
            k: getattr(form, k).data
            for k in (
                "progress_rating",
                "spend_rating",
                "outcome_rating",
                "result",
                "findings",
                "actions",
                "action_due_on",
                "reclaim_grounds",
                "reclaim_amount_won",
            )
        }
        try:
            checks.record_check(
                plan, actor=_me(), kind=kind, values=values, version=form.version.data or None, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The check is saved."), "success")
            return redirect(url_for(".plan", plan_id=plan.id) + "#checks")
    if existing is not None and request.method == "GET":
        for name in ("progress_rating", "spend_rating", "outcome_rating"):
            getattr(form, name).data = str(getattr(existing, name))
    bundle = queries.bundle(_plan(plan_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "overseas/staff_check.html",
        plan=bundle.plan,
        bundle=bundle,
        kind=kind,
        form=form,
        check=existing,
        follow_form=FollowUpForm(formdata=None, obj=existing) if existing else None,
        catalogue=catalogue,
    ), status


@bp.post("/checks/<int:check_id>/follow-up")
def follow_up(check_id: int):
    check = queries.check(check_id) or abort(404)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            checks.record_follow_up(
                check,
                actor=_me(),
                status=form.status.data,
                note=form.note.data,
                version=form.version.data or None,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("The follow-up is recorded."), "success")
    else:
        flash(form_errors_text(form), "error")
    return redirect(url_for(".check", plan_id=check.plan_id, kind=check.kind))


@bp.route("/calls/<int:call_id>/reporting", methods=["GET", "POST"])
def reporting(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    settings = reporting_settings.reporting_for(call.id)
    form = ReportingForm(obj=settings) if request.method == "GET" else ReportingForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            reporting_settings.set_call_reporting(
                call.id, actor=_me(), frequency=form.frequency.data, due_days=form.due_days.data, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The reporting schedule is saved."), "success")
            return redirect(url_for(".plans", call_id=call.id))
    status = 422 if request.method == "POST" else 200
    return render_template("overseas/staff_reporting.html", form=form, call=call), status
