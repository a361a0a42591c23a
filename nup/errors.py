"""Errors that services raise and views and API handlers turn into messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule refused the request; `message` is shown to the user in their language."""

    code = "invalid"
    status = 422
    default_message = _l("The request could not be completed.")

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = str(message if message is not None else self.default_message)
        self.fields = fields or {}
        super().__init__(self.message)


class PermissionDenied(DomainError):
    """The actor may not do this to this object."""

    code = "forbidden"
    status = 403
    default_message = _l("You do not have permission to do that.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("Not found.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("That conflicts with the current state.")
