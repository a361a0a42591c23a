"""Officers' pages for a round's scoring window, assignment runs (preview, edit, commit) and the
presentation schedule; routes of the evaluation blueprint."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from nup.errors import DomainError
from nup.extensions import db
from nup.reviews import assigning, presentations, queries, replacements, services
from nup.reviews.forms import ConfirmForm, EditRunForm, RunForm, ScheduleForm, StageForm
from nup.reviews.models import AssignmentRun, Stage
from nup.reviews.officer_views import _back, _call, _me, _stage_arg, bp
from nup.timeutil import KST, utcnow
from nup.web import domain_error_text, form_errors_text, page_arg, per_page_arg, whole_number


def _parse_local(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=KST)
    except ValueError:
        return None


@bp.post("/calls/<int:call_id>/evaluation/stage")
def stage(call_id: int):
    call = _call(call_id)
    form = StageForm()
    if not form.validate_on_submit():
        abort(400)
    kind = _stage_arg()
    try:
        if request.form.get("action") == "close":
            services.close_stage(call, kind, actor=_me(), now=utcnow())
            message = _("The stage is closed: scores are locked.")
        else:
            due = _parse_local(form.due_at.data)
            if form.due_at.data and due is None:
                raise DomainError(_("Enter the date and time as YYYY-MM-DD HH:MM."))
            services.open_stage(call, kind, actor=_me(), due_at=due, now=utcnow())
            message = _("The stage is open for scoring.")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _back(call.id, "stage")


@bp.post("/calls/<int:call_id>/evaluation/runs")
def start_run(call_id: int):
    call = _call(call_id)
    form = RunForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return _back(call.id, "assign")
    try:
        run = assigning.start_run(
            call,
            actor=_me(),
            stage=_stage_arg(),
            per_application=form.per_application.data,
            seed=form.seed.data,
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(call.id, "assign")
    db.session.commit()
    return redirect(url_for(".run", run_id=run.id))


def _run(run_id: int) -> AssignmentRun:
    return db.session.get(AssignmentRun, run_id) or abort(404)


@bp.get("/assignment-runs/<int:run_id>")
def run(run_id: int):
    the_run = _run(run_id)
    call = _call(the_run.call_id)
    plan_rows: dict[int, list] = {}
    for application_id, reviewer_id, matched in the_run.plan or []:
        plan_rows.setdefault(application_id, []).append((reviewer_id, matched))
    applications = queries.application_briefs(list(plan_rows))
    reviewers = {u.id: u for u in queries.all_evaluators()}
    page = page_arg()
    per_page = per_page_arg(default=50)
    ordered = sorted(plan_rows.items(), key=lambda item: (not applications[item[0]].physical_ai, item[0]))
    start = (page - 1) * per_page
    edit = EditRunForm(formdata=None)
    return render_template(
        "reviews/run.html",
        run=the_run,
        call=call,
        rows=ordered[start : start + per_page],
        total_rows=len(ordered),
        page=page,
        per_page=per_page,
        applications=applications,
        reviewers=reviewers,
        edit=edit,
        confirm=ConfirmForm(formdata=None),
        conflicts=services.conflicted_pairs(call.id),
        # A failed run names the tied pairs that left applications short, as the API's 422 does.
        blocked_pairs=services.describe_conflicts(
            {(c["application_id"], c["reviewer_id"]): c["reason"] for c in (the_run.report or {}).get("conflicts", [])}
        ),
    )


@bp.get("/assignment-runs/<int:run_id>/status")
def run_status(run_id: int):
    the_run = _run(run_id)
    return jsonify(status=the_run.status, progress=the_run.progress, report=the_run.report)


@bp.post("/assignment-runs/<int:run_id>/edit")
def edit_run(run_id: int):
    the_run = _run(run_id)
    form = EditRunForm()
    form.add_reviewer_id.choices = [(u.id, u.name) for u in queries.all_evaluators()]
    if not form.validate_on_submit() or whole_number(form.application_id.data) is None:
        abort(400)
    try:
        assigning.edit_run(
            the_run,
            actor=_me(),
            application_id=int(form.application_id.data),
            remove_reviewer_id=int(form.remove_reviewer_id.data),
            add_reviewer_id=form.add_reviewer_id.data,
            now=utcnow(),
        )
    except (DomainError, ValueError) as error:
        db.session.rollback()
        flash(getattr(error, "message", str(error)), "error")
    else:
        db.session.commit()
        flash(_("The proposal is changed."), "success")
    return redirect(url_for(".run", run_id=run_id, page=request.args.get("page", 1)))


@bp.post("/assignment-runs/<int:run_id>/commit")
def commit_run(run_id: int):
    the_run = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        made = assigning.commit_run(the_run, actor=_me(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".run", run_id=run_id))
    db.session.commit()
    flash(_("%(count)d assignments are committed and the evaluators are told.", count=made), "success")
    return redirect(url_for(".overview", call_id=the_run.call_id, stage=the_run.stage))


@bp.post("/assignment-runs/<int:run_id>/discard")
def discard_run(run_id: int):
    the_run = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        assigning.discard_run(the_run, actor=_me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The proposal is discarded."), "success")
    return redirect(url_for(".overview", call_id=the_run.call_id, stage=the_run.stage))


@bp.post("/calls/<int:call_id>/evaluation/fill-gaps")
def fill_gaps(call_id: int):
    call = _call(call_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made = replacements.replace_missing(call, actor=_me(), now=utcnow())
    db.session.commit()
    flash(_("%(count)d replacement evaluator(s) assigned.", count=made), "success")
    return _back(call.id, "progress")


@bp.post("/calls/<int:call_id>/evaluation/schedule")
def schedule(call_id: int):
    call = _call(call_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for(".overview", call_id=call.id, stage=Stage.PRESENTATION) + "#schedule")
    starts = _parse_local(form.starts_at.data)
    try:
        if starts is None:
            raise DomainError(_("Enter the date and time as YYYY-MM-DD HH:MM."))
        slots = presentations.schedule_presentations(
            call,
            actor=_me(),
            starts_at=starts,
            minutes=form.minutes.data,
            gap=form.gap.data,
            per_day=form.per_day.data,
            location=form.location.data,
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("%(count)d presentation(s) scheduled; the applicants are told.", count=len(slots)), "success")
    return redirect(url_for(".overview", call_id=call.id, stage=Stage.PRESENTATION) + "#schedule")
