"""Officers' selection pages: ranking, an application's score sheets, decisions, letters, objections."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.reviews import decisions, queries, services
from nup.reviews import objections as objection_services
from nup.reviews.forms import AnswerForm, ConfirmForm, ExtendForm, PenaltyForm
from nup.reviews.models import Assignment, Objection, Outcome, Penalty, Stage
from nup.reviews.officer_views import _call, _stage_arg, bp
from nup.reviews.ranking import ranking_page
from nup.timeutil import utcnow
from nup.web import client_ip, form_errors_text, page_arg, per_page_arg


def _me():
    return current_user._get_current_object()


@bp.get("/calls/<int:call_id>/ranking")
def ranking(call_id: int):
    call = _call(call_id)
    stage_kind = _stage_arg()
    track = request.args.get("track", "")
    per_page = per_page_arg(default=50, most=200)
    result = ranking_page(call, stage_kind, page=page_arg(), per_page=per_page, track=track, chart=30)
    pages = max(1, -(-result.total // per_page))
    return render_template(
        "reviews/ranking.html",
        call=call,
        stage_kind=stage_kind,
        ranking=result,
        rows=result.rows,
        total=result.total,
        page=min(page_arg(), pages),
        pages=pages,
        track=track,
        chart=result.chart,
        moved=result.moved,
        reviewers=queries.evaluators_by_id([reviewer for reviewer, _bias in result.extremes]),
    )


@bp.get("/applications/<int:application_id>/evaluation")
def application(application_id: int):
    app_row = db.session.get(Application, application_id) or abort(404)
    audit.record(_me(), "personal_data.viewed", app_row, ip=client_ip(), detail="evaluation sheets")
    db.session.commit()
    sheets = queries.sheets_for(app_row.id)
    penalties = db.session.scalars(db.select(Penalty).where(Penalty.application_id == app_row.id)).all()
    return render_template(
        "reviews/application.html",
        application=app_row,
        call=app_row.call,
        sheets=sheets,
        penalties=penalties,
        penalty_form=PenaltyForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
        conflicts=db.session.scalars(
            db.select(services.Conflict).where(services.Conflict.application_id == app_row.id)
        ).all(),
    )


@bp.post("/assignments/<int:assignment_id>/release-comment")
def release_comment(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    released = request.form.get("released") == "1"
    decisions.set_comment_released(assignment, actor=_me(), released=released)
    db.session.commit()
    flash(_("The comment will be sent with the result.") if released else _("The comment stays internal."), "success")
    return redirect(url_for(".application", application_id=assignment.application_id))


@bp.post("/applications/<int:application_id>/penalty")
def penalty(application_id: int):
    app_row = db.session.get(Application, application_id) or abort(404)
    form = PenaltyForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
    else:
        decisions.record_penalty(app_row, actor=_me(), points=float(form.points.data), reason=form.reason.data)
        db.session.commit()
        flash(_("The penalty is recorded."), "success")
    return redirect(url_for(".application", application_id=application_id))


@bp.route("/calls/<int:call_id>/decisions", methods=["GET", "POST"])
def decisions_page(call_id: int):
    call = _call(call_id)
    stage_kind = _stage_arg()
    try:
        multiple = max(1, min(5, int(request.values.get("multiple", 2))))
        reserves = max(0, min(20, int(request.values.get("reserves", 2))))
    except ValueError:
        multiple, reserves = 2, 2
    proposals = decisions.propose(call, stage_kind, advance_multiple=multiple, reserves_per_track=reserves)
    plain = {
        p.application_id: p.outcome
        for p in decisions.propose(
            call, stage_kind, advance_multiple=multiple, reserves_per_track=reserves, with_priority=False
        )
    }
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        allowed = decisions.OUTCOMES_BY_STAGE[stage_kind]
        outcomes, reasons = {}, {}
        for proposal in proposals:
            chosen = request.form.get(f"outcome-{proposal.application_id}", "")
            if chosen in allowed:
                outcomes[proposal.application_id] = chosen
                reasons[proposal.application_id] = request.form.get(f"reason-{proposal.application_id}", "")[:4000]
        try:
            written = decisions.apply_decisions(
                call, stage_kind, actor=_me(), outcomes=outcomes, reasons=reasons, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(count)d decision(s) recorded. Send the letters when you are ready.", count=written), "success")
            return redirect(url_for(".decisions_page", call_id=call.id, stage=stage_kind))
    existing = {d.application_id: d for d in decisions.decisions_of(call, stage_kind)}
    return render_template(
        "reviews/decisions.html",
        call=call,
        stage_kind=stage_kind,
        proposals=proposals,
        briefs=queries.application_briefs([p.application_id for p in proposals]),
        existing=existing,
        outcomes=decisions.OUTCOMES_BY_STAGE[stage_kind],
        form=ConfirmForm(formdata=None),
        multiple=multiple,
        reserves=reserves,
        review_stage=services.stage_of(call, stage_kind),
        Outcome=Outcome,
        changed_by_policy={
            p.application_id: plain.get(p.application_id) for p in proposals if plain.get(p.application_id) != p.outcome
        },
    )


@bp.post("/calls/<int:call_id>/decisions/release")
def release(call_id: int):
    call = _call(call_id)
    stage_kind = _stage_arg()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = decisions.release_results(call, stage_kind, actor=_me(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(count)d result letter(s) are on their way.", count=sent), "success")
    return redirect(url_for(".decisions_page", call_id=call.id, stage=stage_kind))


@bp.get("/calls/<int:call_id>/objections")
def objections(call_id: int):
    call = _call(call_id)
    return render_template("reviews/objections.html", call=call, objections=queries.open_objections(call), now=utcnow())


@bp.route("/objections/<int:objection_id>", methods=["GET", "POST"])
def objection(objection_id: int):
    item = db.session.get(Objection, objection_id) or abort(404)
    answer_form = AnswerForm(prefix="answer")
    extend_form = ExtendForm(prefix="extend")
    action = request.form.get("action") if request.method == "POST" else None
    try:
        if action == "answer" and answer_form.validate_on_submit():
            objection_services.answer_objection(
                item,
                actor=_me(),
                uphold=answer_form.decision.data == "uphold",
                answer=answer_form.answer.data,
                rereview=bool(answer_form.rereview.data),
                now=utcnow(),
            )
            db.session.commit()
            flash(_("The answer is sent to the applicant."), "success")
            return redirect(url_for(".objection", objection_id=item.id))
        if action == "extend" and extend_form.validate_on_submit():
            objection_services.extend_objection(item, actor=_me(), reason=extend_form.reason.data, now=utcnow())
            db.session.commit()
            flash(_("The answer deadline is extended by 10 days."), "success")
            return redirect(url_for(".objection", objection_id=item.id))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    if request.method == "GET":
        audit.record(_me(), "personal_data.viewed", item.application, ip=client_ip(), detail="objection")
        db.session.commit()
    return render_template(
        "reviews/objection.html",
        objection=item,
        decision=item.decision,
        application=item.application,
        answer_form=answer_form,
        extend_form=extend_form,
        now=utcnow(),
    )


__all__ = ["Stage", "bp"]
