"""Officers' evaluation pages: the evaluator pool, a call's panels, conflicts, stages and assignment runs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import assigning, composition, objections, presentations, queries, replacements, services
from nup.reviews.forms import (
    ConfirmForm,
    ConflictForm,
    DecideRequestForm,
    DeclarationsForm,
    PanelForm,
    RunForm,
    ScheduleForm,
    StageForm,
    expertise_choices,
)
from nup.reviews.models import Conflict, Stage
from nup.reviews.views import save_declarations
from nup.timeutil import utcnow
from nup.web import client_ip, domain_error_text, form_errors_text, page_arg, per_page_arg, show_domain_error

bp = Blueprint("evaluation", __name__, url_prefix="/staff")


def _me():
    return current_user._get_current_object()


def _call(call_id: int) -> Call:
    return db.session.get(Call, call_id) or abort(404)


def _stage_arg() -> str:
    stage = request.values.get("stage") or Stage.DOCUMENT
    if stage not in set(Stage):
        abort(404)
    return stage


def _back(call_id: int, anchor: str = ""):
    return redirect(url_for(".overview", call_id=call_id, stage=_stage_arg()) + (f"#{anchor}" if anchor else ""))


# --------------------------------------------------------------------------- pool


@bp.get("/evaluators")
def pool():
    pagination = queries.evaluators(page=page_arg(), per_page=per_page_arg(), q=(request.args.get("q") or "")[:100])
    ids = [u.id for u in pagination.items]
    return render_template(
        "reviews/pool.html",
        pagination=pagination,
        profiles=queries.profiles_for(ids),
        ratings=objections.evaluator_ratings(),
        is_flagged=objections.is_flagged,
        # An average of one or two ratings would tell an officer which applicant gave it.
        min_ratings=objections.MIN_RATINGS,
        q=request.args.get("q", ""),
        expertise=dict(expertise_choices(str(get_locale()))),
    )


@bp.route("/evaluators/<int:user_id>", methods=["GET", "POST"])
def evaluator(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.role != "reviewer":
        abort(404)
    profile = services.profile_of(user)
    form = DeclarationsForm(obj=None if request.method == "POST" else profile)
    form.expertise.choices = expertise_choices(str(get_locale()))
    if request.method == "GET":
        for name in ("past_employers", "investments", "advisory_roles"):
            getattr(form, name).data = "\n".join(getattr(profile, name) or [])
        form.expertise.data = list(profile.expertise or [])
    if form.validate_on_submit():
        try:
            save_declarations(user, form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The evaluator's declarations are saved."), "success")
            return redirect(url_for(".evaluator", user_id=user.id))
    db.session.rollback()
    audit.record(_me(), "personal_data.viewed", user, ip=client_ip(), detail="evaluator declarations")
    db.session.commit()
    rating = objections.evaluator_ratings().get(user.id)
    return render_template(
        "reviews/evaluator.html",
        user=user,
        form=form,
        rating=rating,
        flagged=objections.is_flagged(rating),
        min_ratings=objections.MIN_RATINGS,
    )


# ----------------------------------------------------------------------- overview


@bp.get("/calls/<int:call_id>/evaluation")
def overview(call_id: int):
    call = _call(call_id)
    stage_kind = _stage_arg()
    reviewers = queries.all_evaluators()
    profiles = queries.profiles_for(r.id for r in reviewers)
    panels = {p.track: p for p in db.session.scalars(select_panels(call, stage_kind))}
    checks = {
        track: composition.composition_warnings(
            [profiles.get(m.reviewer_id) for m in panel.members], per_application=call.reviewers_per_application
        )
        for track, panel in panels.items()
    }
    latest = queries.runs_of(call, limit=5)
    slots = presentations.slots_of(call) if stage_kind == Stage.PRESENTATION else []
    run_form = RunForm(formdata=None, per_application=call.reviewers_per_application, stage=stage_kind)
    return render_template(
        "reviews/overview.html",
        call=call,
        stage_kind=stage_kind,
        stage=services.stage_of(call, stage_kind),
        progress=queries.progress(call, stage_kind),
        reviewers=reviewers,
        profiles=profiles,
        panels=panels,
        checks=checks,
        runs=latest,
        run_form=run_form,
        stage_form=StageForm(formdata=None),
        schedule_form=ScheduleForm(formdata=None),
        slots=slots,
        briefs=queries.application_briefs([s.application_id for s in slots]),
        confirm=ConfirmForm(formdata=None),
        assignable=len(assigning.assignable_applications(call, stage_kind)),
        requests=queries.open_requests(call),
        now=utcnow(),
    )


def select_panels(call: Call, stage: str):
    from nup.reviews.models import Panel

    return select(Panel).where(Panel.call_id == call.id, Panel.stage == stage).order_by(Panel.track)


@bp.post("/calls/<int:call_id>/evaluation/panel")
def panel(call_id: int):
    call = _call(call_id)
    form = PanelForm()
    form.reviewer_ids.choices = [(u.id, u.name) for u in queries.all_evaluators()]
    if not form.validate_on_submit():
        flash(_("The panel could not be saved."), "error")
        return _back(call.id, "panels")
    try:
        saved = services.set_panel(
            call,
            actor=_me(),
            stage=form.stage.data or Stage.DOCUMENT,
            track=form.track.data or "",
            reviewer_ids=[int(i) for i in form.reviewer_ids.data or []],
            name=form.name.data or "",
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        lacks = composition.composition_warnings(
            [queries.profiles_for([m.reviewer_id for m in saved.members]).get(m.reviewer_id) for m in saved.members],
            per_application=call.reviewers_per_application,
        )
        if lacks:
            flash(
                _("The panel is saved, but it does not meet the composition rules: see the warnings below."), "warning"
            )
        else:
            flash(_("The panel is saved."), "success")
    return _back(call.id, "panels")


@bp.post("/calls/<int:call_id>/evaluation/detect-conflicts")
def detect_conflicts(call_id: int):
    call = _call(call_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    found = services.detect_exclusions(call, actor=_me(), now=utcnow())
    db.session.commit()
    flash(_("%(count)d new exclusion(s) found.", count=found), "success")
    return redirect(url_for(".conflicts", call_id=call.id))


@bp.get("/calls/<int:call_id>/conflicts")
def conflicts(call_id: int):
    call = _call(call_id)
    status = request.args.get("status", "")
    pagination = queries.conflicts_of(call, page=page_arg(), per_page=per_page_arg(), status=status)
    reviewers = queries.all_evaluators()
    form = ConflictForm(formdata=None)
    form.reviewer_id.choices = [(u.id, f"{u.name} ({u.email})") for u in reviewers]
    decide = DecideRequestForm(formdata=None)
    decide.reviewer_ids.choices = form.reviewer_id.choices
    return render_template(
        "reviews/conflicts.html", call=call, pagination=pagination, form=form, decide=decide, status=status
    )


@bp.post("/calls/<int:call_id>/conflicts")
def record_conflict(call_id: int):
    call = _call(call_id)
    form = ConflictForm()
    form.reviewer_id.choices = [(u.id, u.name) for u in queries.all_evaluators()]
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for(".conflicts", call_id=call.id))
    application = db.session.scalar(
        select(Application).where(
            Application.call_id == call.id, Application.receipt_number == form.receipt_number.data.strip().upper()
        )
    )
    reviewer = db.session.get(User, form.reviewer_id.data)
    if application is None or reviewer is None:
        flash(_("No application of this call has that receipt number."), "error")
        return redirect(url_for(".conflicts", call_id=call.id))
    try:
        _conflict, substitutes = replacements.exclude_and_replace(
            application, reviewer, actor=_me(), kind="declared", reason=form.reason.data, now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if substitutes:
            flash(_("The conflict is recorded and a replacement evaluator is assigned."), "success")
        else:
            flash(
                _(
                    "The conflict is recorded. No replacement was assigned: either the evaluator held no review "
                    "of it, or no panel member is free of conflicts. Add evaluators to the panel, then use "
                    "'Assign replacements where evaluators are missing' on the evaluation page."
                ),
                "warning",
            )
    return redirect(url_for(".conflicts", call_id=call.id))


@bp.post("/conflicts/<int:conflict_id>/decide")
def decide_request(conflict_id: int):
    conflict = db.session.get(Conflict, conflict_id) or abort(404)
    form = DecideRequestForm()
    form.reviewer_ids.choices = [(u.id, u.name) for u in queries.all_evaluators()]
    if not form.validate_on_submit():
        abort(400)
    accept = form.decision.data == "accept"
    try:
        recorded = services.decide_exclusion_request(
            conflict,
            actor=_me(),
            accept=accept,
            reviewer_ids=[int(i) for i in form.reviewer_ids.data or []],
            note=form.note.data or "",
            now=utcnow(),
        )
        for item in recorded:
            for stage in (Stage.DOCUMENT, Stage.PRESENTATION):
                open_stage = services.stage_of(item.application.call, stage)
                if open_stage is not None and open_stage.is_open:
                    replacements.replace_missing(item.application.call, actor=_me(), now=utcnow())
                    break
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The request is accepted.") if accept else _("The request is rejected."), "success")
    return redirect(url_for(".conflicts", call_id=conflict.call_id))
