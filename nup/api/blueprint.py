"""The one API blueprint; handler modules add their routes to it."""

from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from nup.input_guard import MalformedInput, MalformedJSON, strict_loads


class StrictParser(FlaskParser):
    """Reads JSON bodies with strict_loads: NaN, 64-bit overflow, deep nesting, lone surrogates are a 400."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return strict_loads(req.get_data(cache=True))
        except MalformedJSON as error:
            raise MalformedInput(str(error)) from error


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()


bp = Blueprint("api", __name__, url_prefix="/api/v1", description="N-Up API v1")
