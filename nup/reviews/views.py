"""Evaluators' pages: the queue, the integrity pledge, blind scoring, withdrawal, declarations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes import catalogue
from nup.programmes.models import Call
from nup.reviews import queries, replacements, scores, services
from nup.reviews.evaluator_view import evaluator_view
from nup.reviews.forms import DeclarationsForm, PledgeForm, RecuseForm, ScoreForm, expertise_choices, lines
from nup.timeutil import utcnow
from nup.web import client_ip, page_arg, per_page_arg, show_domain_error, whole_number

bp = Blueprint("evaluator", __name__, url_prefix="/review")


def _me():
    return current_user._get_current_object()


@bp.get("/")
def queue():
    status = request.args.get("status", "")
    pagination = queries.queue_for(
        _me(), page=page_arg(), per_page=per_page_arg(), status=status, language=str(get_locale())
    )
    call_ids = {row.call_id for row in pagination.rows}
    signed = services.pledged_calls(_me(), call_ids)
    pledged = {call_id: call_id in signed for call_id in call_ids}
    calls = {c.id: c for c in db.session.scalars(select(Call).where(Call.id.in_(pledged)))} if pledged else {}
    language = str(get_locale())
    return render_template(
        "reviews/queue.html",
        pagination=pagination,
        counts=queries.queue_counts(_me()),
        pledged=pledged,
        unsigned=[(call_id, calls[call_id].title(language)) for call_id, signed in pledged.items() if not signed],
        track_labels={
            (row.call_id, row.track): calls[row.call_id].track_label(row.track, language) for row in pagination.rows
        },
        status=status,
    )


@bp.route("/calls/<int:call_id>/pledge", methods=["GET", "POST"])
def pledge(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    form = PledgeForm()
    nxt = request.args.get("next", "")
    if form.validate_on_submit():
        services.sign_pledge(call, actor=_me(), ip=client_ip(), now=utcnow())
        db.session.commit()
        flash(_("Thank you. You signed the integrity pledge."), "success")
        if whole_number(nxt):
            return redirect(url_for(".score", assignment_id=whole_number(nxt)))
        return redirect(url_for(".queue"))
    return render_template(
        "reviews/pledge.html", call=call, form=form, signed=services.has_pledged(_me(), call.id), next=nxt
    )


def _commit_keeping_what_was_read() -> None:
    """Commit the audit record without expiring the rows this request already read for its page
    (the commit wrote only the record; reloading them would cost five more queries)."""
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = before


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def score(assignment_id: int):
    assignment = queries.assignment_visible_or_404(_me(), assignment_id)
    call = assignment.call
    if not services.has_pledged(_me(), call.id):
        return redirect(url_for(".pledge", call_id=call.id, next=assignment.id))
    stage = services.stage_of(call, assignment.stage)
    form = ScoreForm()
    field_errors: dict[str, list[str]] = {}
    entered = dict(assignment.scores or {})
    entered_comments = dict(assignment.comments or {})
    if request.method == "POST" and form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        entered = {c["key"]: request.form.get(f"points-{c['key']}", "") for c in call.rubric}
        entered_comments = {c["key"]: request.form.get(f"comment-{c['key']}", "") for c in call.rubric}
        try:
            scores.save_score(
                assignment,
                actor=_me(),
                points=entered,
                comments=entered_comments,
                overall_comment=form.overall_comment.data or "",
                submit=submit,
                expected_version=whole_number(form.version.data),
                now=utcnow(),
            )
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(str(scores.StaleScore.default_message), "error")
        except DomainError as error:
            db.session.rollback()
            field_errors = error.fields  # shown beside each criterion and in the summary
            flash(error.message, "error")
        else:
            flash(
                _("Your score is submitted. You can change it until the stage closes.")
                if submit
                else _("Your draft is saved. It does not count until you submit it."),
                "success",
            )
            return redirect(url_for(".score", assignment_id=assignment.id))
    elif request.method == "GET":
        form.overall_comment.data = assignment.overall_comment
    form.version.data = str(assignment.version)
    application = assignment.application
    if request.method == "GET":
        # Who read which application, and when: the record a leak investigation needs.
        audit.record(_me(), "review.application_viewed", application, ip=client_ip(), detail=assignment.stage)
        _commit_keeping_what_was_read()
    return render_template(
        "reviews/score.html",
        assignment=assignment,
        call=call,
        stage=stage,
        form=form,
        view=evaluator_view(assignment),
        entered=entered,
        entered_comments=entered_comments,
        field_errors=field_errors,
        document_label=catalogue.document_label,
        recuse_form=RecuseForm(formdata=None),
        max_total=scores.max_total(call),
        scoring_open=scores.scoring_open(assignment),
    )


@bp.post("/assignments/<int:assignment_id>/recuse")
def recuse(assignment_id: int):
    assignment = queries.assignment_visible_or_404(_me(), assignment_id)
    form = RecuseForm()
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
        return redirect(url_for(".score", assignment_id=assignment_id))
    try:
        replacements.recuse(assignment, actor=_me(), reason=form.reason.data, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".score", assignment_id=assignment_id))
    db.session.commit()
    flash(_("You have withdrawn from this review. The programme office has been given a replacement."), "success")
    return redirect(url_for(".queue"))


@bp.route("/declarations", methods=["GET", "POST"])
def declarations():
    profile = services.profile_of(_me())
    form = DeclarationsForm(obj=None if request.method == "POST" else profile)
    form.expertise.choices = expertise_choices(str(get_locale()))
    if request.method == "GET":
        for name in ("past_employers", "investments", "advisory_roles"):
            getattr(form, name).data = "\n".join(getattr(profile, name) or [])
        form.expertise.data = list(profile.expertise or [])
    if form.validate_on_submit():
        try:
            save_declarations(_me(), form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your declarations are saved."), "success")
            return redirect(url_for(".declarations"))
    db.session.rollback()  # an empty profile is created only when saved
    return render_template("reviews/declarations.html", form=form)


def save_declarations(evaluator, form: DeclarationsForm):
    """Save the declarations form for `evaluator` (used by the evaluator and by officers)."""
    return services.save_profile(
        evaluator,
        actor=_me(),
        organisation=form.organisation.data or "",
        position=form.position.data or "",
        past_employers=lines(form.past_employers.data),
        investments=lines(form.investments.data),
        advisory_roles=lines(form.advisory_roles.data),
        expertise=list(form.expertise.data or []),
        gender=form.gender.data or "undisclosed",
        market_expert=bool(form.market_expert.data),
        now=utcnow(),
    )
