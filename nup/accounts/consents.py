"""The consents we ask for: each separate, stating purpose, items, retention and refusal."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: str
    required: bool
    title: str
    purpose: str
    items: str
    retention: str
    refusal: str


CONSENTS: tuple[ConsentText, ...] = (
    ConsentText(
        kind="personal_data_collection",
        version="2026-11",
        required=True,
        title=_l("Collection and use of personal data (required)"),
        purpose=_l(
            "To identify you, run your account, receive and evaluate applications to N-Up "
            "calls, and contact you about them."
        ),
        items=_l("Name, email address, password (stored only as a hash), sign-in records."),
        retention=_l(
            "Five years after the end of the support agreement, or one year after your "
            "last sign-in if you never apply; then deleted unless a law or dispute requires "
            "us to keep it."
        ),
        refusal=_l("You may refuse. Without this consent an account cannot be created and you cannot apply."),
    ),
    ConsentText(
        kind="programme_news",
        version="2026-11",
        required=False,
        title=_l("Programme news by email (optional)"),
        purpose=_l("To tell you about new N-Up calls, events and NVIDIA programmes."),
        items=_l("Name and email address."),
        retention=_l("Until you withdraw this consent."),
        refusal=_l(
            "You may refuse or withdraw at any time on your profile page; this has no effect on your applications."
        ),
    ),
)

CONSENTS_BY_KIND = {consent.kind: consent for consent in CONSENTS}
REQUIRED_KINDS = frozenset(c.kind for c in CONSENTS if c.required)
