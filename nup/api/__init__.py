"""The JSON API at /api/v1: bearer tokens, one error shape, an OpenAPI document from the code."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from nup.api.errors import from_http_exception
from nup.api.schemas import ErrorSchema


class Api(SmorestApi):
    """flask-smorest, answering every HTTP error in the API's error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return from_http_exception(error)


api = Api(
    spec_kwargs={
        "info": {
            "description": "N-Up programme system. Authenticate with `Authorization: Bearer "
            "<token>`; create a token on your profile page or with "
            "`nup tokens create --email E`."
        },
        # Paths already start with /api/v1: a server URL of /api/v1 would double the prefix.
        "servers": [{"url": "/"}],
    }
)


def install(app: Flask) -> None:
    from nup.api import (  # noqa: F401 - add routes
        applications,
        calls,
        mentoring,
        outbox,
        overseas,
        privacy,
        reviews,
        views,
    )
    from nup.api.blueprint import bp
    from nup.extensions import csrf

    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    api.register_blueprint(bp)
    csrf.exempt(bp)  # bearer tokens, never cookies, authenticate the API
