"""Officers' mentoring pages: the pool and vetting, matches with reasons, bulk runs, approvals, review, statements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.mentoring import logs, matches, pool, queries, runs, sessions, statements
from nup.mentoring.forms import (
    ActiveForm,
    AllowanceForm,
    MentorProfileForm,
    ProposeForm,
    ReasonForm,
    RunStartForm,
    VetForm,
    fill_choices,
)
from nup.mentoring.models import Mentor, MentorStatus, RunStatus
from nup.mentoring.views import edit_profile, labels
from nup.programmes.models import Call
from nup.reviews.cohort import is_selected, selected_applications
from nup.timeutil import utcnow
from nup.web import client_ip, domain_error_text, form_errors_text, month_arg, page_arg, show_domain_error, whole_number

bp = Blueprint("mentoring_admin", __name__, url_prefix="/staff/mentoring")


def _me():
    return current_user._get_current_object()


def _selected(application_id: int) -> Application:
    application = db.session.get(Application, application_id) or abort(404)
    if not is_selected(application.id):
        abort(404)
    return application


@bp.get("/")
def overview():
    cohort = selected_applications()
    rows = queries.cohort_overview([a.id for a in cohort])
    latest_run = runs.latest_run()
    calls = sorted({a.call for a in cohort}, key=lambda call: call.id)
    return render_template(
        "mentoring/admin_overview.html",
        cohort=cohort,
        calls=calls,
        self_pick_form=ActiveForm(formdata=None),
        rows=rows,
        run_form=RunStartForm(),
        latest_run=latest_run,
        approvals=len(queries.approvals_due()),
        applied=queries.pool_page(status=MentorStatus.APPLIED, page=1, per_page=1)[1],
        labels=labels(),
    )


@bp.post("/calls/<int:call_id>/self-pick")
def self_pick(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    form = ActiveForm()
    if form.validate_on_submit():
        matches.set_self_pick(call, actor=_me(), allowed=form.active.data == "1")
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for(".overview"))


# -------------------------------------------------------------------------------------- pool


@bp.get("/pool", endpoint="pool")
def pool_list():
    status = request.args.get("status") or ""
    if status and status not in set(MentorStatus):
        abort(404)
    mentors, total = queries.pool_page(status=status or None, page=page_arg())
    load = matches.monthly_load([m.id for m in mentors])
    return render_template(
        "mentoring/admin_pool.html",
        mentors=mentors,
        total=total,
        status=status,
        page=page_arg(),
        per_page=25,
        load=load,
        labels=labels(),
    )


@bp.route("/pool/<int:mentor_id>", methods=["GET", "POST"])
def mentor(mentor_id: int):
    mentor = db.session.get(Mentor, mentor_id) or abort(404)
    form = fill_choices(MentorProfileForm())
    then = url_for(".mentor", mentor_id=mentor.id)
    if saved := edit_profile(mentor, form, success=_("The mentor's profile is saved."), then=then):
        return saved
    db.session.rollback()
    audit.record(_me(), "personal_data.viewed", mentor, ip=client_ip(), detail="mentor profile")
    db.session.commit()
    return render_template(
        "mentoring/admin_mentor.html",
        mentor=mentor,
        form=form,
        vet_form=VetForm(formdata=None),
        active_form=ActiveForm(formdata=None),
        sessions=queries.sessions_of(actor=_me(), mentor_id=mentor.id)[:20],
        labels=labels(),
    )


@bp.post("/pool/<int:mentor_id>/vet")
def vet(mentor_id: int):
    mentor = db.session.get(Mentor, mentor_id) or abort(404)
    form = VetForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for(".mentor", mentor_id=mentor.id))
    try:
        pool.vet_mentor(
            mentor, actor=_me(), approve=form.decision.data == "approve", note=form.note.data or "", now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(
            _("Approved: the mentor is invited to set a password.")
            if form.decision.data == "approve"
            else _("The request is turned down."),
            "success",
        )
    return redirect(url_for(".mentor", mentor_id=mentor.id))


@bp.post("/pool/<int:mentor_id>/active")
def set_active(mentor_id: int):
    mentor = db.session.get(Mentor, mentor_id) or abort(404)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            pool.set_mentor_active(mentor, actor=_me(), active=form.active.data == "1", reason=form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
    return redirect(url_for(".mentor", mentor_id=mentor.id))


# ----------------------------------------------------------------------------------- matches


@bp.get("/startups/<int:application_id>")
def startup(application_id: int):
    return _startup_page(_selected(application_id))


def _startup_page(application: Application, allowance_form: AllowanceForm | None = None):
    """The officer's page of one selected startup; a refused allowance form comes back with its errors."""
    need, suggestions, conflicted = matches.suggestions_for(application, now=utcnow())
    db.session.commit()
    if allowance_form is None:
        allowance_form = AllowanceForm(formdata=None, hour_cap=f"{need.hour_cap:g}", budget_won=str(need.budget_won))
    return render_template(
        "mentoring/admin_startup.html",
        application=application,
        need=need,
        suggestions=suggestions,
        conflicted=conflicted,
        matches=queries.matches_of(actor=_me(), application_id=application.id),
        sessions=queries.sessions_of(actor=_me(), application_id=application.id),
        usage=queries.usage_of(application.id),
        propose_form=ProposeForm(formdata=None),
        allowance_form=allowance_form,
        end_form=ReasonForm(formdata=None),
        labels=labels(),
    )


@bp.post("/startups/<int:application_id>/match")
def propose(application_id: int):
    application = _selected(application_id)
    form = ProposeForm()
    mentor = db.session.get(Mentor, whole_number(form.mentor_id.data)) if whole_number(form.mentor_id.data) else None
    if not form.validate_on_submit() or mentor is None:
        flash(_("Choose a mentor."), "error")
        return redirect(url_for(".startup", application_id=application.id))
    try:
        matches.propose_match(application, mentor, actor=_me(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("%(mentor)s is asked to mentor %(company)s.", mentor=mentor.name, company=application.company_name),
            "success",
        )
    return redirect(url_for(".startup", application_id=application.id))


@bp.post("/startups/<int:application_id>/allowance")
def allowance(application_id: int):
    application = _selected(application_id)
    form = AllowanceForm()
    need = matches.need_for(application, now=utcnow())
    if form.validate_on_submit():
        try:
            matches.set_allowance(
                need, actor=_me(), hour_cap=form.hour_cap.data, budget_won=form.budget_won.data, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The hour cap and budget are saved."), "success")
            return redirect(url_for(".startup", application_id=application.id))
    return _startup_page(application, allowance_form=form), 422


@bp.post("/matches/<int:match_id>/end")
def end_match(match_id: int):
    match = queries.match_visible_or_404(_me(), match_id)
    form = ReasonForm()
    try:
        sessions.end_match(
            match, actor=_me(), reason=form.reason.data if form.validate_on_submit() else "", now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The match has ended."), "success")
    return redirect(url_for(".startup", application_id=match.application_id))


# -------------------------------------------------------------------------------------- runs


@bp.post("/runs")
def start_run():
    form = RunStartForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for(".overview"))
    run = runs.start_match_run(actor=_me(), call_id=None, per_startup=form.per_startup.data, now=utcnow())
    db.session.commit()
    return redirect(url_for(".run", run_id=run.id))


@bp.get("/runs/<int:run_id>")
def run(run_id: int):
    match_run = runs.get_run(run_id)
    applications = {a.id: a for a in selected_applications()}
    mentors = {
        m.id: m for m in db.session.query(Mentor).filter(Mentor.id.in_({p["mentor_id"] for p in match_run.proposals}))
    }
    return render_template(
        "mentoring/admin_run.html",
        run=match_run,
        applications=applications,
        mentors=mentors,
        form=ReasonForm(formdata=None),
        labels=labels(),
        RunStatus=RunStatus,
    )


@bp.get("/runs/<int:run_id>/status")
def run_status(run_id: int):
    match_run = runs.get_run(run_id)
    progress = {RunStatus.QUEUED: 0.05, RunStatus.RUNNING: 0.5}.get(match_run.status, 1.0)
    return jsonify(
        status=match_run.status, progress=progress, proposals=len(match_run.proposals), error=match_run.error
    )


@bp.post("/runs/<int:run_id>/commit")
def commit_run(run_id: int):
    match_run = runs.get_run(run_id)
    ReasonForm()  # CSRF is checked by the extension; the form carries nothing else
    skip = set()
    for value in request.form.getlist("skip"):
        left, _sep, right = value.partition("-")
        if whole_number(left) and whole_number(right):
            skip.add((whole_number(left), whole_number(right)))
    try:
        made, refused = runs.commit_match_run(match_run, actor=_me(), skip=skip, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".run", run_id=run_id))
    db.session.commit()
    flash(
        _("%(made)d mentors were asked; %(refused)d pairs no longer fit.", made=made, refused=len(refused)),
        "success" if not refused else "error",
    )
    for (application_id, _mentor_id), why in refused[:10]:
        flash(f"#{application_id}: {why}", "error")
    return redirect(url_for(".overview"))


@bp.post("/runs/<int:run_id>/discard")
def discard_run(run_id: int):
    match_run = runs.get_run(run_id)
    try:
        runs.discard_match_run(match_run, actor=_me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The preview is discarded."), "success")
    return redirect(url_for(".overview"))


# ------------------------------------------------------------------------- approvals, money


@bp.get("/approvals")
def approvals():
    due = queries.approvals_due()
    return render_template(
        "mentoring/admin_approvals.html",
        due=due,
        form=ReasonForm(formdata=None),
        usage={s.application_id: queries.usage_of(s.application_id) for s in due},
    )


@bp.post("/sessions/<int:session_id>/approve")
def approve(session_id: int):
    session = queries.session_visible_or_404(_me(), session_id)
    decision = request.form.get("decision")
    form = ReasonForm()
    form.validate_on_submit()  # CSRF; the note is only required for a return, which the service checks
    version = request.form.get("version", "")
    try:
        logs.approve_log(
            session,
            actor=_me(),
            approve=decision == "approve",
            note=form.reason.data or "",
            now=utcnow(),
            expected_version=whole_number(version),
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Approved: the hours now count.") if decision == "approve" else _("Returned to the mentor."), "success")
    return redirect(url_for(".approvals"))


@bp.get("/statements", endpoint="statements")
def statements_page():
    month = month_arg()
    return render_template(
        "mentoring/admin_statements.html",
        month=month,
        statement=statements.monthly_statement(month),
        hours=statements.hours_against_caps(),
    )
