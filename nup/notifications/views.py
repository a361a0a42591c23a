"""Officers read the mail the system has sent (the mail folder of the embedded default)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

from nup.notifications import queries
from nup.web import page_arg

bp = Blueprint("notifications", __name__, url_prefix="/staff")
PER_PAGE = 25


@bp.get("/mail/")
def mailbox():
    page = page_arg()
    messages, total = queries.mail_folder_page(Path(current_app.config["MAIL_DIR"]), page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "notifications/mailbox.html",
        messages=messages,
        total=total,
        page=page,
        pages=pages,
        smtp=bool(current_app.config.get("SMTP_HOST")),
    )


@bp.get("/mail/<name>")
def message(name: str):
    stored = queries.read_message(Path(current_app.config["MAIL_DIR"]), name)
    if stored is None:
        abort(404)
    return render_template("notifications/message.html", message=stored)
