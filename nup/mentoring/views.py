"""Mentoring pages for mentors (my startups, my sessions, logs to file) and startups (my mentors, hours)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup import security
from nup.applications import queries as application_queries
from nup.applications.models import Application
from nup.errors import Conflict, DomainError
from nup.extensions import db, limiter
from nup.mentoring import logs, matches, pool, queries, sessions
from nup.mentoring.forms import (
    ConfirmForm,
    JoinForm,
    LogForm,
    MentorProfileForm,
    NeedForm,
    RatingForm,
    ReasonForm,
    RescheduleForm,
    RespondForm,
    SessionForm,
    fill_choices,
)
from nup.mentoring.models import MatchStatus, Mentor, SessionStatus
from nup.mentoring.vocabulary import EXPERTISE_LABELS, LANGUAGE_LABELS, MODE_LABELS, REASON_LABELS, explain
from nup.reviews.cohort import is_selected, selected_query
from nup.timeutil import KST, utcnow
from nup.web import domain_error_text, form_errors_text, show_domain_error, whole_number

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")

LIST_FIELDS = ("past_employers", "investments", "advisory_roles")


def _me():
    return current_user._get_current_object()


def profile_values(form: MentorProfileForm) -> dict:
    """The service's values from a profile form (lists from the one-per-line boxes)."""
    values = {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "email")}
    for name in LIST_FIELDS:
        values[name] = (values.get(name) or "").splitlines()
    return values


def load_profile_form(form: MentorProfileForm, mentor: Mentor) -> None:
    for name, field in form._fields.items():
        if name in LIST_FIELDS:
            field.data = "\n".join(getattr(mentor, name) or [])
        elif hasattr(mentor, name) and name != "csrf_token":
            field.data = getattr(mentor, name)


def slot_values(form: SessionForm) -> dict:
    starts = form.starts_at.data
    return {
        "starts_at": starts.replace(tzinfo=KST) if starts else None,
        "minutes": form.minutes.data,
        "mode": form.mode.data,
        "location": form.location.data,
        "agenda": form.agenda.data,
    }


def labels() -> dict:
    return {
        "explain": explain,
        "expertise": EXPERTISE_LABELS,
        "languages": LANGUAGE_LABELS,
        "modes": MODE_LABELS,
        "reasons": REASON_LABELS,
    }


# ---------------------------------------------------------------------------------- joining


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], scope="mentor_join")
def join():
    form = fill_choices(JoinForm())
    if form.validate_on_submit():
        values = {k: v for k, v in profile_values(form).items() if k != "consent"}
        try:
            pool.apply_to_join(email=form.email.data, values=values, now=utcnow())
        except Conflict:
            # The same answer as for a new request, so the form never tells who is in the pool.
            db.session.rollback()
            return render_template("mentoring/join_done.html")
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            return render_template("mentoring/join_done.html")
    elif form.is_submitted():
        flash(form_errors_text(form) or _("Nothing was saved: correct the marked fields."), "error")
    return render_template("mentoring/join.html", form=form)


# ---------------------------------------------------------------------------------- mentors


def _mentor() -> Mentor:
    mentor = pool.mentor_of(_me())
    if mentor is None:
        abort(404)
    return mentor


@bp.get("/")
def mentor_home():
    mentor = pool.mentor_of(_me())
    if mentor is None:
        return render_template("mentoring/mentor_home.html", mentor=None)
    my_matches = queries.matches_of(actor=_me(), statuses=(MatchStatus.PROPOSED, MatchStatus.ACCEPTED))
    my_sessions = queries.sessions_of(actor=_me())
    now = utcnow()
    return render_template(
        "mentoring/mentor_home.html",
        mentor=mentor,
        proposed=[m for m in my_matches if m.status == MatchStatus.PROPOSED],
        accepted=[m for m in my_matches if m.status == MatchStatus.ACCEPTED],
        upcoming=[s for s in my_sessions if s.status == SessionStatus.SCHEDULED and s.ends_at > now][::-1],
        to_log=[
            s
            for s in my_sessions
            if s.status in (SessionStatus.SCHEDULED, SessionStatus.DISPUTED) and s.starts_at <= now
        ],
        past=[s for s in my_sessions if s.status not in (SessionStatus.SCHEDULED, SessionStatus.DISPUTED)][:50],
        respond_form=RespondForm(),
        labels=labels(),
    )


def edit_profile(mentor: Mentor, form: MentorProfileForm, *, success: str, then: str):
    """Show the profile in the form, or save what was sent: a redirect to `then` once saved, else None."""
    if request.method == "GET":
        load_profile_form(form, mentor)
    if not form.validate_on_submit():
        return None
    try:
        pool.update_mentor_profile(mentor, actor=_me(), values=profile_values(form), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(then)


@bp.route("/profile", methods=["GET", "POST"])
def mentor_profile():
    mentor = _mentor()
    form = fill_choices(MentorProfileForm())
    del form.fee_per_hour  # set by officers only
    if saved := edit_profile(mentor, form, success=_("Your profile is saved."), then=url_for(".mentor_profile")):
        return saved
    return render_template("mentoring/profile.html", form=form, mentor=mentor)


@bp.post("/matches/<int:match_id>/respond")
def respond(match_id: int):
    match = queries.match_visible_or_404(_me(), match_id)
    form = RespondForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for(".mentor_home"))
    accept = form.decision.data == "accept"
    try:
        matches.respond_match(match, actor=_me(), accept=accept, note=form.note.data or "", now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("You accepted the match.") if accept else _("You declined the match."), "success")
    return redirect(url_for(".mentor_home"))


# --------------------------------------------------------------------------------- startups


def _owned_application(application_id: int) -> Application:
    application = application_queries.application_visible_or_404(_me(), application_id)
    security.require(_me(), "startup.mentoring", application)
    if not is_selected(application.id):
        abort(404)
    return application


@bp.get("/mine")
def my_mentoring():
    """The founder's way in: straight to the selected startup's page, or a choice when there are several."""
    visible = application_queries.visible_applications(_me()).with_only_columns(Application.id)
    mine = db.session.scalars(selected_query().where(Application.id.in_(visible))).all()
    if len(mine) == 1:
        return redirect(url_for(".startup_home", application_id=mine[0].id))
    return render_template("mentoring/mine.html", applications=mine)


@bp.get("/startup/<int:application_id>")
def startup_home(application_id: int):
    application = _owned_application(application_id)
    need = matches.need_for(application, now=utcnow())
    db.session.commit()  # keep the prefilled need
    my_matches = queries.matches_of(actor=_me(), application_id=application.id)
    my_sessions = queries.sessions_of(actor=_me(), application_id=application.id)
    suggestions = []
    if application.call.mentoring_self_pick:
        _need, suggestions, _conflicted = matches.suggestions_for(application, now=utcnow())
    return render_template(
        "mentoring/startup_home.html",
        application=application,
        need=need,
        usage=queries.usage_of(application.id),
        matches=my_matches,
        sessions=my_sessions,
        suggestions=suggestions,
        labels=labels(),
    )


@bp.route("/startup/<int:application_id>/needs", methods=["GET", "POST"])
def needs(application_id: int):
    application = _owned_application(application_id)
    need = matches.need_for(application, now=utcnow())
    form = fill_choices(NeedForm(obj=None if request.method == "POST" else need))
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        try:
            matches.state_need(need, actor=_me(), values=values, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your mentoring needs are saved."), "success")
            return redirect(url_for(".startup_home", application_id=application.id))
    db.session.commit()
    return render_template("mentoring/needs.html", form=form, application=application, need=need)


@bp.post("/startup/<int:application_id>/pick/<int:mentor_id>")
def self_pick(application_id: int, mentor_id: int):
    application = _owned_application(application_id)
    mentor = db.session.get(Mentor, mentor_id) or abort(404)
    try:
        matches.propose_match(application, mentor, actor=_me(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The mentor has been asked. You will get an email when they answer."), "success")
    return redirect(url_for(".startup_home", application_id=application.id))


# --------------------------------------------------------------------------------- sessions


@bp.route("/matches/<int:match_id>/book", methods=["GET", "POST"])
def book(match_id: int):
    match = queries.match_visible_or_404(_me(), match_id)
    security.require(_me(), "session.book", match)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = sessions.book_session(match, actor=_me(), values=slot_values(form), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The session is booked. Both of you will get a calendar invitation by email."), "success")
            return redirect(url_for(".session", session_id=session.id))
    page = render_template(
        "mentoring/book.html", form=form, match=match, usage=queries.usage_of(match.application_id), labels=labels()
    )
    return page, 422 if request.method == "POST" else 200  # a POST that reaches here was refused


def _session_forms(session) -> dict:
    log = LogForm(formdata=None, obj=session, version=session.version)
    log.minutes.data = session.logged_minutes or session.scheduled_minutes
    return {
        "log_form": log,
        "confirm_form": ConfirmForm(formdata=None, version=session.version),
        "rating_form": RatingForm(formdata=None),
        "reason_form": ReasonForm(formdata=None),
        "reschedule_form": RescheduleForm(
            formdata=None,
            starts_at=session.starts_at.astimezone(KST).replace(tzinfo=None),
            minutes=session.scheduled_minutes,
            mode=session.mode,
            location=session.location,
            agenda=session.agenda,
        ),
    }


def _render_session(session, **forms):
    security.require(_me(), "session.view", session)
    rated = queries.ratings_given([session.id])
    context = {**_session_forms(session), **forms}
    return render_template(
        "mentoring/session.html",
        session=session,
        now=utcnow(),
        rated=rated,
        usage=queries.usage_of(session.application_id),
        labels=labels(),
        **context,
    )


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):
    return _render_session(queries.session_visible_or_404(_me(), session_id))


@bp.get("/sessions/<int:session_id>/invite.ics")
def session_ics(session_id: int):
    session = queries.session_visible_or_404(_me(), session_id)
    ics = sessions.session_ics(session, now=utcnow())
    return Response(
        ics,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="mentoring-{session.id}.ics"'},
    )


def _session_action(session_id: int, form_class, action, success: str, form_name: str):
    session = queries.session_visible_or_404(_me(), session_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            action(session, form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".session", session_id=session.id))
    else:
        flash(form_errors_text(form) or _("Nothing was saved: correct the marked fields."), "error")
    db.session.rollback()
    return _render_session(queries.session_visible_or_404(_me(), session_id), **{form_name: form}), 422


def _version(form) -> int | None:
    return whole_number(form.version.data)


@bp.post("/sessions/<int:session_id>/log")
def file_log(session_id: int):
    def action(session, form):
        values = {
            "topic": form.topic.data,
            "advice": form.advice.data,
            "follow_up": form.follow_up.data,
            "minutes": form.minutes.data,
        }
        logs.file_log(session, actor=_me(), values=values, now=utcnow(), expected_version=_version(form))

    return _session_action(
        session_id, LogForm, action, _("The log is filed; the startup is asked to confirm it."), "log_form"
    )


@bp.post("/sessions/<int:session_id>/confirm")
def confirm_log(session_id: int):
    def action(session, form):
        logs.confirm_log(
            session,
            actor=_me(),
            agree=form.decision.data == "confirm",
            note=form.note.data or "",
            now=utcnow(),
            expected_version=_version(form),
        )

    return _session_action(session_id, ConfirmForm, action, _("Thank you: your answer is recorded."), "confirm_form")


@bp.post("/sessions/<int:session_id>/reschedule")
def reschedule(session_id: int):
    def action(session, form):
        sessions.reschedule_session(
            session, actor=_me(), values=slot_values(form), reason=form.reason.data, now=utcnow()
        )

    return _session_action(
        session_id,
        RescheduleForm,
        action,
        _("The session is moved; both of you get an updated invitation."),
        "reschedule_form",
    )


@bp.post("/sessions/<int:session_id>/cancel")
def cancel(session_id: int):
    def action(session, form):
        sessions.cancel_session(session, actor=_me(), reason=form.reason.data, now=utcnow())

    return _session_action(
        session_id, ReasonForm, action, _("The session is cancelled; both of you are told by email."), "reason_form"
    )


@bp.post("/sessions/<int:session_id>/rate")
def rate(session_id: int):
    def action(session, form):
        logs.rate_session(session, actor=_me(), stars=form.stars.data, comment=form.comment.data or "", now=utcnow())

    return _session_action(session_id, RatingForm, action, _("Thank you for your rating."), "rating_form")
