"""The officers' audit-log search page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from nup.audit import queries
from nup.timeutil import KST
from nup.web import page_arg

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (email)"), validators=[Optional(), Length(max=254)])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)])
    since = DateField(_l("From (KST)"), validators=[Optional()])
    until = DateField(_l("To (KST)"), validators=[Optional()])


def _kst_day_start(day) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=KST) if day else None


@bp.get("/")
def index():
    form = AuditSearchForm(request.args)
    valid = form.validate()
    since = _kst_day_start(form.since.data) if valid else None
    until = _kst_day_start(form.until.data) + timedelta(days=1) if valid and form.until.data else None
    pagination = queries.search_events(
        actor=form.actor.data or "" if valid else "",
        action=form.action.data or "" if valid else "",
        since=since,
        until=until,
        page=page_arg(),
    )
    return render_template("audit/index.html", form=form, pagination=pagination, actions=queries.action_names())
