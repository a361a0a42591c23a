"""Password rules and hashing: pure functions, Argon2id."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128  # long passphrases welcome; the cap only stops hashing megabytes


def password_problems(password: str, *, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """Return the reasons a password is refused, as codes; an empty list means it is fine.

    Codes: too_short, too_long, common (a known, guessable password, or one built from the
    user's own email or name).
    """
    if len(password) < MIN_LENGTH:
        return ["too_short"]
    if len(password) > MAX_LENGTH:
        return ["too_long"]
    if _is_guessable(password, tuple(i for i in user_inputs if i)):
        return ["common"]
    return []


def _is_guessable(password: str, user_inputs: tuple[str, ...]) -> bool:
    from zxcvbn import zxcvbn  # its dictionaries load on first use

    # zxcvbn knows the common-password lists and keyboard patterns; score 0-1 means
    # guessable within about a million attempts.
    return zxcvbn(password[:72], user_inputs=list(user_inputs))["score"] < 2


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)


def hash_password(password: str, *, parameters: dict) -> str:
    """Hash with Argon2id."""
    return _hasher(**parameters).hash(password)


def verify_password(stored_hash: str | None, password: str, *, parameters: dict) -> bool:
    """Check a password against its hash; a missing or malformed hash never matches."""
    if not stored_hash:
        return False
    try:
        return _hasher(**parameters).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, *, parameters: dict) -> bool:
    """Say whether the hash was made with other parameters than today's."""
    return _hasher(**parameters).check_needs_rehash(stored_hash)
