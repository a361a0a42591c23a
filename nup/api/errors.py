"""The API's one error shape: {"error": {"code", "message", "fields"}} with a 4xx status."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="nup"'
    return response


def messages(status: int) -> str:
    return {
        400: _("The request is malformed."),
        401: _("A valid API token is required (Authorization: Bearer <token>)."),
        403: _("You do not have permission to do that."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        415: _("Send JSON (Content-Type: application/json)."),
        422: _("Some fields are not valid."),
        429: _("Too many requests. Please wait and try again."),
        500: _("Something went wrong on our side. Nothing you sent was lost; please try again."),
    }.get(status, _("The request could not be completed."))


def from_http_exception(error: HTTPException):
    """Turn any HTTP error (Werkzeug's, or webargs' 422 with field messages) into our shape."""
    status = error.code or 500
    fields: dict[str, list[str]] = {}
    data = getattr(error, "data", None) or {}
    for location in (data.get("messages") or {}).values():
        if isinstance(location, dict):
            for name, problems in location.items():
                fields[str(name)] = _flatten(problems)
    if status == 400 and fields:
        status = 422
    return error_response(status, CODES.get(status, "error"), messages(status), fields)


def _flatten(problems) -> list[str]:
    if isinstance(problems, dict):
        return [f"{key}: {text}" for key, value in problems.items() for text in _flatten(value)]
    if isinstance(problems, list | tuple):
        return [str(p) for p in problems]
    return [str(problems)]
