"""Personal-data pages: "My data" for everyone; the officers' requests, holds, purge preview, access report."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.accounts.consents import CONSENTS
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.privacy import access_log, mydata, purge, services
from nup.privacy.forms import AccessReportForm, AnswerForm, ConfirmDeletionForm, HoldForm, RequestForm, WithdrawForm
from nup.privacy.models import LegalHold, PrivacyRequest
from nup.privacy.retention import RULES_BY_KEY
from nup.timeutil import KST, to_kst, utcnow
from nup.web import client_ip, domain_error_text, show_domain_error

bp = Blueprint("privacy", __name__, url_prefix="/my-data")
admin = Blueprint("privacy_admin", __name__, url_prefix="/staff/privacy")


def _me() -> User:
    return current_user._get_current_object()


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# ------------------------------------------------------------------------ My data


def _my_page(request_form=None, deletion_form=None, status=200):
    me = _me()
    now = utcnow()
    data = mydata.gather(me, now=now)
    current = {}
    for row in data["consents"]:
        current[row["kind"]] = row
    return (
        render_template(
            "privacy/my_data.html",
            data=data,
            consents=CONSENTS,
            current=current,
            request_form=request_form or RequestForm(),
            deletion_form=deletion_form or ConfirmDeletionForm(),
            withdraw_form=WithdrawForm(),
            deletion=services.assess_deletion(me, now=now),
        ),
        status,
    )


@bp.get("/")
def my_data():
    body, status = _my_page()
    return _private(Response(body, status))


@bp.get("/download")
def download():
    me = _me()
    now = utcnow()
    archive = mydata.build_zip(mydata.gather(me, now=now))
    audit.record(me, "privacy.data_downloaded", me, ip=client_ip())
    db.session.commit()
    name = f"nup-my-data-{to_kst(now).date().isoformat()}.zip"
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


@bp.post("/requests")
def file_request():
    form = RequestForm()
    if form.validate_on_submit():
        try:
            services.file_request(actor=_me(), kind=form.kind.data, details=form.details.data or "", now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your request is recorded. The programme office answers within 10 days."), "success")
            return redirect(url_for(".my_data") + "#requests")
    body, _status = _my_page(request_form=form)
    return _private(Response(body, 422))


@bp.post("/consents/withdraw")
def withdraw_consent():
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(actor=_me(), kind=form.kind.data, ip=client_ip(), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Your consent is withdrawn. News emails waiting to be sent to you are cancelled."), "success")
    else:
        flash(_("The form has expired. Please try again."), "error")
    return redirect(url_for(".my_data") + "#consents")


@bp.post("/delete")
def delete_account():
    form = ConfirmDeletionForm()
    if not (form.validate_on_submit() and form.confirm.data):
        flash(_("Tick the box to confirm that you want your account deleted."), "error")
        body, _status = _my_page(deletion_form=form)
        return _private(Response(body, 422))
    me = _me()
    answer = services.request_deletion(actor=me, now=utcnow())
    db.session.commit()
    if answer.possible:
        purge.remove_queued_files()  # the erased drafts' files, now that their rows are committed
        db.session.commit()
    if not answer.possible:
        message = answer.reason
        if answer.possible_on:
            message += " " + _("Deletion becomes possible on %(day)s.", day=answer.possible_on.isoformat())
        flash(message, "error")
        return redirect(url_for(".my_data") + "#delete")
    from flask_login import logout_user

    logout_user()
    flash(_("Your account has been deleted. A confirmation has been sent to your email address."), "success")
    return redirect(url_for("home.index"))


# ------------------------------------------------------------------------ officers


@admin.get("/")
def requests():
    now = utcnow()
    rows = services.open_requests()
    answered = services.answered_since(now - timedelta(days=30))
    ids = [r.user_id for r in (*rows, *answered)] or [0]
    users = {u.id: u for u in db.session.query(User).filter(User.id.in_(ids))}
    return render_template(
        "privacy/requests.html",
        rows=rows,
        answered=answered,
        users=users,
        now=now,
        soon=now + timedelta(days=3),
        form=AnswerForm(),
    )


@admin.get("/people/<int:user_id>/data.zip")
def person_export(user_id: int):
    """An officer's copy of one person's data, to answer an access request (a recorded read)."""
    person = db.session.get(User, user_id) or abort(404)
    archive = mydata.build_zip(mydata.gather(person, now=utcnow()))
    audit.record(_me(), "personal_data.viewed", person, ip=client_ip(), detail="access request export")
    db.session.commit()
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="nup-person-{person.id}.zip"'
    return _private(response)


@admin.post("/requests/<int:request_id>/answer")
def answer(request_id: int):
    row = db.session.get(PrivacyRequest, request_id) or abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_request(
                row, actor=_me(), done=form.outcome.data == "done", answer=form.answer.data or "", now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("The answer is recorded."), "success")
    return redirect(url_for(".requests"))


@admin.get("/purge")
def purge_preview():
    preview = purge.preview(now=utcnow())
    return render_template("privacy/purge_preview.html", preview=preview, holds=services.live_holds(), form=HoldForm())


@admin.post("/holds")
def place_hold():
    form = HoldForm()
    if form.validate_on_submit():
        application = db.session.get(Application, form.application_id.data) if form.application_id.data else None
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        try:
            services.place_hold(
                actor=_me(), reason=form.reason.data or "", now=utcnow(), application=application, user=user
            )
        except DomainError as error:
            db.session.rollback()
            flash(domain_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("The hold is placed: the purge leaves these records until it is lifted."), "success")
    else:
        flash(_("Check the numbers you entered."), "error")
    return redirect(url_for(".purge_preview") + "#holds")


@admin.post("/holds/<int:hold_id>/lift")
def lift_hold(hold_id: int):
    hold = db.session.get(LegalHold, hold_id) or abort(404)
    try:
        services.lift_hold(hold, actor=_me(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The hold is lifted."), "success")
    return redirect(url_for(".purge_preview") + "#holds")


def _report_period(form: AccessReportForm) -> tuple[datetime, datetime]:
    now = utcnow()
    valid = form.validate()
    since = (
        datetime.combine(form.since.data, time.min, tzinfo=KST)
        if valid and form.since.data
        else access_log.window_start(now)
    )
    until = (
        datetime.combine(form.until.data, time.min, tzinfo=KST) + timedelta(days=1)
        if valid and form.until.data
        else now + timedelta(seconds=1)  # up to and including this instant
    )
    return since, until


@admin.get("/access")
def access_report():
    form = AccessReportForm(request.args)
    since, until = _report_period(form)
    person = db.session.get(User, form.user_id.data) if form.user_id.data and not form.user_id.errors else None
    readers = access_log.by_officer(since=since, until=until)
    per_person = access_log.by_person(person.id, now=utcnow()) if person else []
    if person is not None:
        audit.record(_me(), "privacy.access_report_viewed", person, ip=client_ip())
        db.session.commit()
    return render_template(
        "privacy/access_report.html",
        form=form,
        readers=readers,
        person=person,
        per_person=per_person,
        since=since,
        until=until,
        window=RULES_BY_KEY["access_log"],
    )


def _report_rows(since: datetime, until: datetime, person: User | None = None) -> list[list]:
    """Per reader (and, for one person, per reader of their data): what the audit export holds."""
    header = [_("Reader"), _("Reads"), _("Records read"), _("Unusual volume")]
    rows = [
        [r.actor_label, r.reads, r.records, _("yes") if r.unusual else ""]
        for r in access_log.by_officer(since=since, until=until)
    ]
    table = [header, *rows]
    if person is not None:
        table += [[], [_("Reads of this person's data"), f"#{person.id}"], [_("Reader"), _("Reads"), _("Last read")]]
        table += [
            [p.reader, p.reads, to_kst(p.last_read).isoformat(timespec="minutes")]
            for p in access_log.by_person(person.id, now=utcnow())
        ]
    return table


def _report_person(form: AccessReportForm) -> User | None:
    if form.user_id.data and not form.user_id.errors:
        return db.session.get(User, form.user_id.data)
    return None


@admin.get("/access.csv")
def access_csv():
    form = AccessReportForm(request.args)
    since, until = _report_period(form)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 Korean with the BOM
    csv.writer(buffer).writerows(_report_rows(since, until, _report_person(form)))
    audit.record(_me(), "privacy.access_report_exported", None, detail="csv", ip=client_ip())
    db.session.commit()
    response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="nup-access-log.csv"'
    return _private(response)


@admin.get("/access.xlsx")
def access_xlsx():
    from openpyxl import Workbook

    form = AccessReportForm(request.args)
    since, until = _report_period(form)
    book = Workbook()
    sheet = book.active
    sheet.title = "access"
    for row in _report_rows(since, until, _report_person(form)):
        sheet.append([str(v) if not isinstance(v, int) else v for v in row])
    sheet.append([])
    sheet.append([_("Period"), to_kst(since).isoformat(), to_kst(until).isoformat()])
    buffer = io.BytesIO()
    book.save(buffer)
    audit.record(_me(), "privacy.access_report_exported", None, detail="xlsx", ip=client_ip())
    db.session.commit()
    response = Response(buffer.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = 'attachment; filename="nup-access-log.xlsx"'
    return _private(response)
