"""Account changes: sign-up, verification, sign-in, passwords, roles, tokens, consents.

Every function takes its actor (or the person acting) explicitly, flushes and never
commits; emails are queued in the outbox and leave after the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nup import security
from nup.accounts import passwords
from nup.accounts.consents import CONSENTS_BY_KIND, REQUIRED_KINDS
from nup.accounts.models import (
    ApiToken,
    Consent,
    Role,
    SignInThrottle,
    User,
    UserSession,
    new_session_token,
)
from nup.audit import services as audit
from nup.errors import Conflict, DomainError, NotFound
from nup.extensions import db
from nup.notifications import services as notifications
from nup.timeutil import utcnow

TOKEN_PREFIX = "nup_"  # noqa: S105 - a label, not a secret
STAFF_ROLES = (Role.REVIEWER, Role.OFFICER, Role.MENTOR)

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(n)d characters.", n=passwords.MIN_LENGTH),
    "too_long": _l("Use at most %(n)d characters.", n=passwords.MAX_LENGTH),
    "common": _l(
        "This password is too easy to guess (a common password, or built from your name "
        "or email). Try a longer phrase of unrelated words."
    ),
}


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _l("The email address or password is not correct.")


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    status = 403
    default_message = _l("Please confirm your email address first: follow the link we sent you, or ask for a new one.")


class SignInPaused(DomainError):
    """Too many failed sign-ins for this account from this address: wait, or use the emailed link."""

    code = "sign_in_paused"
    status = 429
    default_message = _l("Sign-in is locked for a while")

    def __init__(self, until: datetime):
        super().__init__()
        self.until = until


class InvalidLink(DomainError):
    code = "invalid_link"
    status = 400
    default_message = _l("This link is invalid or has expired. Please ask for a new one.")


# ---------------------------------------------------------------------------- helpers


def normalise_email(raw: str) -> str:
    """Return the address in canonical form, or raise DomainError with a field message."""
    try:
        checked = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(
            _l("Enter a valid email address."), fields={"email": [str(_l("Enter a valid email address."))]}
        ) from error
    return checked.normalized.lower()


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Raise DomainError (field `password`) if the password breaks the rules."""
    problems = passwords.password_problems(password, user_inputs=(email, email.split("@")[0], name))
    if problems:
        messages = [str(PASSWORD_MESSAGES[p]) for p in problems]
        raise DomainError(messages[0], fields={"password": messages})


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password, parameters=current_app.config["ARGON2_PARAMETERS"])


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"nup.{purpose}")


def make_link_token(user: User, purpose: str) -> str:
    """A signed, expiring token for an emailed link, bound to the user's current state."""
    return _serializer(purpose).dumps({"uid": user.id, "st": user.session_token, "em": user.email})


def check_link(token: str, purpose: str) -> User:
    """Say, before a form is filled in, whether an emailed link still works (InvalidLink if not)."""
    return _user_from_link(token, purpose)


def _user_from_link(token: str, purpose: str) -> User:
    max_age = current_app.config["TOKEN_MAX_AGE"][purpose]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as error:
        raise InvalidLink() from error
    user = db.session.get(User, data.get("uid"))
    # A changed password or email rotates these, so an old link stops working.
    if user is None or user.session_token != data.get("st") or user.email != data.get("em"):
        raise InvalidLink()
    return user


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.email == email)) > 0


# ---------------------------------------------------------------------------- sign-up


def register_applicant(
    *,
    email: str,
    name: str,
    password: str,
    consents: dict[str, bool],
    language: str,
    ip: str | None,
    now: datetime,
) -> User | None:
    """Create an unverified applicant account, record each consent and queue the link.

    Sends the verification email (after commit). Raises DomainError with field errors.
    For an address that already has an account nothing is created and None is returned:
    its owner is emailed instead, and the caller answers exactly as for a new address, so
    the form cannot tell anyone which addresses have accounts.
    """
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise DomainError(fields={"name": [str(_l("Enter the CEO's name."))]})
    missing = [kind for kind in REQUIRED_KINDS if not consents.get(kind)]
    if missing:
        raise DomainError(
            _l("The required consent is needed to create an account."),
            fields={kind: [str(_l("This consent is required."))] for kind in missing},
        )
    check_password(password, email=email, name=name)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        # Answer exactly as for a new address (the caller shows "check your email"), spend
        # the time a new account would, and tell the owner by email instead.
        passwords.hash_password(password, parameters=current_app.config["ARGON2_PARAMETERS"])
        notifications.queue(
            "sign_up_attempted",
            to=existing,
            key=now.date().isoformat(),  # at most one such email a day
            context={"name": existing.name},
        )
        audit.record(None, "account.sign_up_repeated", existing, ip=ip, actor_label=email)
        db.session.flush()
        return None
    user = User(
        email=email,
        name=name,
        role=Role.APPLICANT,
        language=language,
        created_at=now,
        session_token=new_session_token(),
    )
    _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    for kind, granted in consents.items():
        if kind in CONSENTS_BY_KIND:
            record_consent(user=user, kind=kind, granted=bool(granted), ip=ip, now=now)
    audit.record(user, "account.registered", user, ip=ip, after={"email": email, "role": user.role})
    queue_verification(user)
    return user


def queue_verification(user: User) -> None:
    """Queue the email with the address-confirmation link."""
    notifications.queue(
        "verify_email",
        to=user,
        key=f"{user.session_token}:{user.email}",
        context={"name": user.name, "token": make_link_token(user, "verify_email")},
    )


def resend_verification(*, email: str) -> None:
    """Queue a new confirmation link if that address has an unverified account.

    Says nothing either way, so the form cannot be used to find out who has an account.
    """
    try:
        email = normalise_email(email)
    except DomainError:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and not user.is_verified:
        user.session_token = new_session_token()  # the new link gets a new key
        queue_verification(user)


def verify_email(*, token: str, now: datetime) -> User:
    """Mark the address confirmed; raises InvalidLink."""
    user = _user_from_link(token, "verify_email")
    if user.email_verified_at is None:
        user.email_verified_at = now
        audit.record(user, "account.email_verified", user)
    db.session.flush()
    return user


# ---------------------------------------------------------------------------- sign-in


def _canonical_email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except DomainError:
        return (raw or "").strip().lower()[:254]


def authenticate(*, email: str, password: str, ip: str | None, now: datetime) -> User:
    """Return the user for these credentials, recording the attempt either way.

    Raises InvalidCredentials (the same message whether the address exists or not),
    EmailNotVerified, and SignInPaused while this account is locked for this client
    address (ten failures from it). The caller also limits attempts per address overall.
    """
    email = _canonical_email(email)
    check_sign_in_allowed(email=email, ip=ip, now=now)
    user = db.session.scalar(select(User).where(User.email == email))
    parameters = current_app.config["ARGON2_PARAMETERS"]
    if (
        user is None
        or not user.active
        or not passwords.verify_password(user.password_hash, password, parameters=parameters)
    ):
        if user is None:
            # Spend the same time as a real check, so timing does not reveal accounts.
            passwords.verify_password(_dummy_hash(), password, parameters=parameters)
        audit.record(None, "auth.sign_in_failed", user, ip=ip, actor_label=email or "?")
        record_failed_sign_in(email=email, ip=ip, now=now, user=user)
        raise InvalidCredentials()
    if not user.is_verified:
        audit.record(user, "auth.sign_in_unverified", user, ip=ip)
        raise EmailNotVerified()
    if passwords.needs_rehash(user.password_hash, parameters=parameters):
        _set_password(user, password)
    user.last_login_at = now
    _forget_failures(email=email, ip=ip)
    audit.record(user, "auth.signed_in", user, ip=ip)
    db.session.flush()
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    parameters = current_app.config["ARGON2_PARAMETERS"]
    key = repr(sorted(parameters.items()))
    if key not in _DUMMY:
        _DUMMY[key] = passwords.hash_password(secrets.token_hex(8), parameters=parameters)
    return _DUMMY[key]


# ---------------------------------------------------------------------------- throttling

LOCK_AFTER_FAILURES = 10
FIRST_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(hours=24)
FORGET_FAILURES_AFTER = timedelta(hours=24)


def lock_duration(failures: int) -> timedelta:
    """How long a pair is refused after its n-th failure: none before ten, then 15 minutes
    doubling with each further failure, at most a day."""
    if failures < LOCK_AFTER_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** min(failures - LOCK_AFTER_FAILURES, 20), LONGEST_LOCK)


def _throttle(email: str, ip: str | None) -> SignInThrottle | None:
    return db.session.scalar(
        select(SignInThrottle).where(SignInThrottle.email == email, SignInThrottle.ip_address == (ip or "?"))
    )


def check_sign_in_allowed(*, email: str, ip: str | None, now: datetime) -> None:
    """Raise SignInPaused while this account is locked for this client address.

    Only the pair is locked: the same account from another address, and other accounts
    from this address, are not (the per-address limit of the page still applies).
    """
    row = _throttle(email, ip)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        audit.record(None, "auth.sign_in_throttled", None, ip=ip, actor_label=email or "?")
        db.session.flush()
        raise SignInPaused(row.locked_until)


def record_failed_sign_in(*, email: str, ip: str | None, now: datetime, user: User | None) -> SignInThrottle:
    """Count a failure for (account, address); the tenth and each later one lock the pair.

    At each lock the account's owner (if the address has an account) gets an email with a
    single-use link that lifts it.
    """
    row = _throttle(email, ip)
    if row is None:
        try:
            with db.session.begin_nested():  # two failures at once: the second counts on the first's row
                row = SignInThrottle(email=email, ip_address=ip or "?", failures=0, last_failed_at=now)
                db.session.add(row)
        except IntegrityError:
            row = _throttle(email, ip)
    elif now - row.last_failed_at > FORGET_FAILURES_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failed_at = now
    duration = lock_duration(row.failures)
    if duration:
        row.locked_until = now + duration
        row.unlock_nonce = secrets.token_hex(16)
        db.session.flush()
        if user is not None and user.active:
            token = _serializer("unlock_sign_in").dumps({"em": email, "n": row.unlock_nonce})
            notifications.queue(
                "sign_in_locked",
                to=user,
                key=row.unlock_nonce,
                context={"name": user.name, "ip": ip or "?", "token": token},
            )
        audit.record(None, "auth.sign_in_locked", user, ip=ip, actor_label=email or "?", detail=str(duration))
    db.session.flush()
    return row


def _forget_failures(*, email: str, ip: str | None) -> None:
    row = _throttle(email, ip)
    if row is not None:
        db.session.delete(row)


def _unlock_data(token: str) -> dict:
    """What an emailed unlock link says (address and nonce); InvalidLink if forged or expired."""
    max_age = current_app.config["TOKEN_MAX_AGE"].get("unlock_sign_in", 24 * 3600)
    try:
        return _serializer("unlock_sign_in").loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as error:
        raise InvalidLink() from error


def lift_sign_in_lock(*, token: str, ip: str | None, now: datetime) -> str:
    """Lift every lock on the account of an emailed unlock link; the link then stops working.

    Returns the account address. Raises InvalidLink for a forged, expired or used link.
    """
    data = _unlock_data(token)
    email, nonce = str(data.get("em", "")), str(data.get("n", ""))
    rows = list(db.session.scalars(select(SignInThrottle).where(SignInThrottle.email == email)))
    if not nonce or not any(row.unlock_nonce == nonce for row in rows):
        raise InvalidLink()
    for row in rows:
        db.session.delete(row)
    user = db.session.scalar(select(User).where(User.email == email))
    audit.record(None, "auth.sign_in_unlocked", user, ip=ip, actor_label=email)
    db.session.flush()
    return email


def check_unlock_link(token: str) -> None:
    """Say before the button is pressed whether an unlock link still works (InvalidLink if not)."""
    data = _unlock_data(token)
    found = db.session.scalar(
        select(func.count()).where(
            SignInThrottle.email == str(data.get("em", "")), SignInThrottle.unlock_nonce == str(data.get("n", ""))
        )
    )
    if not found:
        raise InvalidLink()


# ---------------------------------------------------------------------------- sessions


def open_session(*, user: User, ip: str | None, user_agent: str, now: datetime) -> tuple[UserSession, str]:
    """Record a new browser session; return it and its random key (for the cookie only)."""
    key = secrets.token_urlsafe(32)
    user_session = UserSession(
        user_id=user.id,
        key_digest=token_digest(key),
        created_at=now,
        last_seen_at=now,
        authenticated_at=now,
        ip_address=ip,
        user_agent=(user_agent or "")[:200] or None,
    )
    db.session.add(user_session)
    db.session.flush()
    return user_session, key


def end_sessions(*, user: User, reason: str, now: datetime, keep: UserSession | None = None) -> int:
    """End every live session of `user` (except `keep`) at once; return how many."""
    live = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    )
    ended = 0
    for user_session in live:
        if keep is not None and user_session.id == keep.id:
            continue
        user_session.revoked_at = now
        user_session.revoked_reason = reason
        ended += 1
    db.session.flush()
    return ended


def sign_out(*, actor: User, user_session: UserSession | None, ip: str | None, now: datetime) -> None:
    """End this browser session on the server: its cookie opens nothing afterwards."""
    if user_session is not None and user_session.revoked_at is None:
        user_session.revoked_at = now
        user_session.revoked_reason = "signed_out"
    audit.record(actor, "auth.signed_out", actor, ip=ip)
    db.session.flush()


def sign_out_everywhere(*, actor: User, current: UserSession | None, ip: str | None, now: datetime) -> int:
    """End every other session of the actor; the one asking stays signed in. Returns how many."""
    ended = end_sessions(user=actor, reason="signed_out_everywhere", now=now, keep=current)
    audit.record(actor, "auth.signed_out_everywhere", actor, ip=ip, detail=str(ended))
    db.session.flush()
    return ended


def expire_session(*, key: str | None, now: datetime) -> None:
    """End the session of a cookie that passed its idle or absolute limit."""
    if not key:
        return
    found = db.session.scalar(select(UserSession).where(UserSession.key_digest == token_digest(key)))
    if found is not None and found.revoked_at is None:
        found.revoked_at = now
        found.revoked_reason = "expired"
        db.session.flush()


def recently_authenticated(user_session: UserSession | None, *, now: datetime) -> bool:
    """Whether the password was typed in this session within REAUTH_WINDOW."""
    if user_session is None:
        return False
    return now - user_session.authenticated_at <= current_app.config["REAUTH_WINDOW"]


def reauthenticate(
    *, actor: User, user_session: UserSession | None, password: str, ip: str | None, now: datetime
) -> None:
    """Confirm the actor's password in this session, for actions that need a fresh sign-in.

    Wrong passwords count towards the same per-address lock as the sign-in page.
    """
    if user_session is None:
        raise InvalidCredentials()
    check_sign_in_allowed(email=actor.email, ip=ip, now=now)
    parameters = current_app.config["ARGON2_PARAMETERS"]
    if not passwords.verify_password(actor.password_hash, password, parameters=parameters):
        audit.record(actor, "auth.reauthentication_failed", actor, ip=ip)
        record_failed_sign_in(email=actor.email, ip=ip, now=now, user=actor)
        message = str(_l("The password is not correct."))
        raise DomainError(message, fields={"password": [message]})
    user_session.authenticated_at = now
    audit.record(actor, "auth.reauthenticated", actor, ip=ip)
    db.session.flush()


# ---------------------------------------------------------------------------- passwords


def request_password_reset(*, email: str, ip: str | None, now: datetime) -> None:
    """Queue a reset link if the address has an account; silent otherwise."""
    try:
        email = normalise_email(email)
    except DomainError:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        return
    notifications.queue(
        "reset_password",
        to=user,
        key=f"{now.isoformat()}",
        context={"name": user.name, "token": make_link_token(user, "reset_password")},
    )
    audit.record(user, "auth.password_reset_requested", user, ip=ip)


def reset_password(*, token: str, new_password: str, ip: str | None, now: datetime) -> User:
    """Set a new password from an emailed link; every session and link is invalidated.

    Also confirms the address (the person read mail sent to it) and queues a notice.
    """
    user = _user_from_link(token, "reset_password")
    check_password(new_password, email=user.email, name=user.name)
    _set_password(user, new_password)
    user.session_token = new_session_token()
    end_sessions(user=user, reason="password_reset", now=now)
    if user.email_verified_at is None:
        user.email_verified_at = now
    notifications.queue("password_changed", to=user, key=now.isoformat(), context={"name": user.name})
    audit.record(user, "auth.password_reset", user, ip=ip)
    db.session.flush()
    return user


def change_password(*, actor: User, current: str, new: str, ip: str | None, now: datetime) -> None:
    """Change the actor's own password after checking the current one.

    Every session of the account ends, this one included: the caller opens a new one for
    the person who just typed both passwords, so other devices are signed out.
    """
    parameters = current_app.config["ARGON2_PARAMETERS"]
    if not passwords.verify_password(actor.password_hash, current, parameters=parameters):
        message = str(_l("The current password is not correct."))
        raise DomainError(message, fields={"current_password": [message]})
    check_password(new, email=actor.email, name=actor.name)
    _set_password(actor, new)
    actor.session_token = new_session_token()
    end_sessions(user=actor, reason="password_changed", now=now)
    notifications.queue("password_changed", to=actor, key=now.isoformat(), context={"name": actor.name})
    audit.record(actor, "auth.password_changed", actor, ip=ip)
    db.session.flush()


# ---------------------------------------------------------------------------- profile


def update_profile(*, actor: User, name: str, language: str) -> User:
    """Change the actor's display name and preferred language for emails."""
    name = (name or "").strip()
    if not name:
        raise DomainError(fields={"name": [str(_l("Enter your name."))]})
    before = {"name": actor.name, "language": actor.language}
    actor.name = name
    actor.language = language if language in ("ko", "en") else "ko"
    audit.record(
        actor,
        "account.profile_updated",
        actor,
        before=before,
        after={"name": actor.name, "language": actor.language},
    )
    db.session.flush()
    return actor


def record_consent(*, user: User, kind: str, granted: bool, ip: str | None, now: datetime) -> Consent:
    """Append one consent decision; earlier decisions stay on record.

    Withdrawing an optional consent applies its stated consequence at once: the person's
    non-essential mail still waiting in the outbox is cancelled.
    """
    text = CONSENTS_BY_KIND.get(kind)
    if text is None:
        raise NotFound()
    if text.required and not granted and user.role == Role.APPLICANT:
        # Withdrawing the required consent means closing the account: not a toggle.
        raise DomainError(
            _l(
                "This consent is needed to keep your account. To withdraw it, ask the programme "
                "office to close your account."
            )
        )
    last = db.session.scalar(select(func.max(Consent.sequence)).where(Consent.user_id == user.id, Consent.kind == kind))
    consent = Consent(
        user_id=user.id,
        kind=kind,
        version=text.version,
        granted=granted,
        sequence=(last or 0) + 1,
        recorded_at=now,
        ip_address=ip,
    )
    db.session.add(consent)
    if not granted and not text.required:
        # The stated consequence: no more news mail. What is still waiting in the outbox is
        # cancelled; essential mail about applications is untouched.
        notifications.cancel_pending_optional(user_id=user.id, reason=f"consent withdrawn: {kind}")
    audit.record(
        user,
        "consent.granted" if granted else "consent.withdrawn",
        user,
        detail=f"{kind} {text.version}",
        ip=ip,
    )
    db.session.flush()
    return consent


# ---------------------------------------------------------------------------- staff


def create_user(
    *,
    actor: User | None,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    now: datetime,
    ip: str | None = None,
    check_strength: bool = True,
    language: str = "ko",
) -> User:
    """Create an account for any role.

    With a password (the CLI and demo data), the account is ready and verified. Without
    one (an officer inviting staff), an invitation with a set-password link is queued.
    """
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise DomainError(fields={"role": [str(_l("Choose a valid role."))]})
    if actor is not None:
        security.require(actor, "users.manage")
    if email_taken(email):
        raise Conflict(
            _l("An account with this email address already exists."),
            fields={"email": [str(_l("This email address is already registered."))]},
        )
    name = (name or "").strip() or email.split("@")[0]
    user = User(
        email=email,
        name=name,
        role=role,
        language=language if language in ("ko", "en") else "ko",
        created_at=now,
        session_token=new_session_token(),
        email_verified_at=now if password else None,
    )
    if password is not None:
        if check_strength:
            check_password(password, email=email, name=name)
        _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "account.created", user, ip=ip, after={"email": email, "role": role})
    if password is None:
        notifications.queue(
            "staff_invitation",
            to=user,
            key=user.session_token,
            context={"name": user.name, "role": role, "token": make_link_token(user, "reset_password")},
        )
    return user


def change_role(*, actor: User, user: User, role: str, ip: str | None, now: datetime | None = None) -> User:
    """Give an account another role (officers only); audited with before and after."""
    security.require(actor, "users.manage")
    if role not in {r.value for r in Role}:
        raise DomainError(fields={"role": [str(_l("Choose a valid role."))]})
    if user.id == actor.id:
        raise DomainError(_l("You cannot change your own role."))
    before = {"role": user.role}
    user.role = role
    user.session_token = new_session_token()  # the new role starts with a new session
    end_sessions(user=user, reason="role_changed", now=now or utcnow())
    revoke_all_api_tokens(actor=actor, user=user, now=now or utcnow())
    audit.record(actor, "account.role_changed", user, ip=ip, before=before, after={"role": role})
    db.session.flush()
    return user


def set_active(*, actor: User, user: User, active: bool, ip: str | None, now: datetime | None = None) -> User:
    """Disable or re-enable an account (officers only); a disabled account cannot sign in."""
    security.require(actor, "users.manage")
    if user.id == actor.id:
        raise DomainError(_l("You cannot disable your own account."))
    before = {"active": user.active}
    user.active = active
    user.session_token = new_session_token()
    end_sessions(user=user, reason="disabled" if not active else "enabled", now=now or utcnow())
    # A token made before the account was disabled does not come back with it.
    if not active:
        revoke_all_api_tokens(actor=actor, user=user, now=now or utcnow())
    audit.record(
        actor,
        "account.enabled" if active else "account.disabled",
        user,
        ip=ip,
        before=before,
        after={"active": active},
    )
    db.session.flush()
    return user


# ---------------------------------------------------------------------------- API tokens


def token_digest(plaintext: str) -> str:
    """SHA-256 of a token: tokens are long and random, so a fast digest is enough."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_api_token(*, actor: User | None, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Create a bearer token for `user`; the plaintext is returned once and never stored."""
    if actor is not None and actor.id != user.id:
        security.require(actor, "users.manage")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=(name or "").strip()[:100] or "API",
        digest=token_digest(plaintext),
        prefix=plaintext[:12],
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.created", token, detail=f"user {user.id}")
    return token, plaintext


def revoke_api_token(*, actor: User, token: ApiToken, now: datetime) -> None:
    """Revoke a token at once; requests with it are refused from now on."""
    security.require(actor, "token.revoke", token)
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(actor, "api_token.revoked", token)
    db.session.flush()


def revoke_all_api_tokens(*, actor: User, user: User, now: datetime) -> int:
    """Revoke every live token of `user` (a role change or a disabled account); audited; how many."""
    tokens = list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    )
    for token in tokens:
        token.revoked_at = now
        audit.record(actor, "api_token.revoked", token, detail=f"user {user.id}")
    db.session.flush()
    return len(tokens)


# ---------------------------------------------------------------------------- mail preferences


def user_from_unsubscribe_token(token: str) -> User | None:
    """The user an unsubscribe link was made for (the links do not expire)."""
    from itsdangerous import URLSafeSerializer

    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="nup.unsubscribe").loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def set_mail_opt_out(*, user: User, opt_out: bool, ip: str | None) -> None:
    """Switch non-essential mail off or on; recorded like a consent."""
    if user.mail_opt_out != opt_out:
        user.mail_opt_out = opt_out
        audit.record(user, "mail.opted_out" if opt_out else "mail.opted_in", user, ip=ip)
    db.session.flush()
