"""The one API blueprint; handler modules add their routes to it."""

from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="N-Up API v1")
