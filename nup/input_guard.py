"""Malformed input stops at the door: bounded ids in URLs, strict JSON, nothing unstorable reaches the database."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from nup.errors import DomainError

#: The largest id a row can have: ids are INTEGER columns, 32-bit signed on PostgreSQL.
MAX_ID = 2**31 - 1
#: The largest whole number any column holds (BIGINT on PostgreSQL, INTEGER on SQLite).
MAX_INT64 = 2**63 - 1
#: Deeper JSON than this is refused before it is parsed; no request of the API nests more than a few levels.
MAX_JSON_DEPTH = 64

# NUL, which PostgreSQL text cannot hold, and lone UTF-16 surrogates, which UTF-8 cannot encode.
_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# A JSON string (escapes included) or one bracket: strings are skipped, so brackets inside them do not count.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class MalformedInput(DomainError):
    """The request cannot be read or stored as sent (a 400, in the API's error shape or as an error page)."""

    code = "bad_request"
    status = 400
    default_message = _l("The request is malformed.")


class MalformedJSON(ValueError):
    """A JSON body that parses in Python but that the application refuses to read."""


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id from 1 to 2^31-1 in ASCII digits, anything else is a 404.

    Werkzeug's own converter takes any number of any Unicode digits, so an id past 64 bits
    reached the database and failed there (a 500).
    """

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed=False):
        super().__init__(
            map,
            fixed_digits,
            min=1 if min is None else min,
            max=MAX_ID if max is None else max,
            signed=signed,
        )


def has_unstorable_character(text: str) -> bool:
    """Whether `text` holds a NUL or a lone UTF-16 surrogate: no database column can store it."""
    return _UNSTORABLE_CHARACTER.search(text) is not None


def _refuse_constant(name: str):
    raise MalformedJSON(str(_l("NaN and Infinity are not numbers: send a number or null.")))


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedJSON(str(_l("A number in the JSON body is out of range.")))
    return value


def _bounded_int(text: str) -> int:
    value = int(text)
    if not -MAX_INT64 - 1 <= value <= MAX_INT64:
        raise MalformedJSON(str(_l("A number in the JSON body is out of range.")))
    return value


def _check_depth(text: str) -> None:
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise MalformedJSON(
                    str(_l("The JSON body is nested too deeply (at most %(depth)s levels).", depth=MAX_JSON_DEPTH))
                )
        elif piece in "]}":
            depth -= 1


def _check_strings(value: Any) -> None:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if has_unstorable_character(item):
                raise MalformedJSON(
                    str(_l("The JSON body holds text with an invalid character (a NUL or a lone surrogate)."))
                )
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def strict_loads(data: str | bytes | bytearray) -> Any:
    """Parse a JSON body, refusing NaN/Infinity, numbers past 64 bits, deep nesting, NULs and lone surrogates.

    Raises MalformedJSON (a ValueError) with a message for the client; invalid JSON raises
    json.JSONDecodeError and invalid UTF-8 UnicodeDecodeError, as json.loads does.
    """
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    _check_depth(text)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except (json.JSONDecodeError, MalformedJSON):
        raise
    except (ValueError, RecursionError) as error:  # e.g. an integer of thousands of digits
        raise MalformedJSON(str(_l("A number in the JSON body is out of range."))) from error
    _check_strings(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON (request.get_json): parsed with strict_loads."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_loads(s)


def _unstorable(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -MAX_INT64 - 1 <= value <= MAX_INT64
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return has_unstorable_character(value)
    return False


def _refuse_unstorable_parameters(conn, cursor, statement, parameters, context, executemany) -> None:
    """Last resort: a value the database driver would choke on (a 500) is a 400 instead."""
    rows = parameters if executemany or isinstance(parameters, list) else [parameters]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else ()
        for value in values:
            if _unstorable(value):
                raise MalformedInput()


def install(app: Flask) -> None:
    """Bound `<int:...>` in every route (call before any route is added), parse JSON strictly, guard the database."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
    if not event.contains(Engine, "before_cursor_execute", _refuse_unstorable_parameters):
        event.listen(Engine, "before_cursor_execute", _refuse_unstorable_parameters)
