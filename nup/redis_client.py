"""One Redis client for the app (locks for scheduled jobs), with this deployment's key prefix."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from flask import current_app

_clients: dict[str, redis.Redis] = {}


def client() -> redis.Redis:
    url = current_app.config["REDIS_URL"]
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return _clients[url]


def key(name: str) -> str:
    return f"{current_app.config['REDIS_PREFIX']}{name}"


@contextmanager
def exclusive(name: str, *, ttl_seconds: int) -> Iterator[bool]:
    """Hold a lock across processes for a job; yields False when another holder has it.

    The lock expires by itself, so a crashed holder cannot block the job forever; only the
    holder that set it releases it.
    """
    token = secrets.token_hex(8)
    lock_key = key(f"lock:{name}")
    acquired = bool(client().set(lock_key, token, nx=True, ex=ttl_seconds))
    try:
        yield acquired
    finally:
        if acquired:
            # Delete only our own lock (a Lua compare-and-delete).
            client().eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                1,
                lock_key,
                token,
            )
