"""WSGI entry point for production servers: `gunicorn wsgi:app`."""

from nup import create_app
from nup.embedded import ensure_embedded_redis

app = create_app()
if app.config["EMBEDDED_REDIS"]:
    ensure_embedded_redis(app.config["INSTANCE_DIR"])
