"""The second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

Required for the roles in ``TWO_FACTOR_REQUIRED_ROLES`` (``LMS_RISK_2FA_REQUIRED``, default
``admin,chair``; ``all`` for everyone), optional for the others. The QR code for the
authenticator app is drawn here (segno, an SVG data URI): the secret never leaves the server for a
third party. A code is accepted once (``user.totp_last_step``); a recovery code once too.
"""

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from .. import timeutil
from ..extensions import db
from .events import security_event
from .models import RecoveryCode, User
from .sessions import end_sessions

ISSUER = "LMS Risicoregister"
RECOVERY_CODES = 10
# The previous and next 30-second step count too (a phone's clock drifts).
WINDOW = 1


def required_for(user) -> bool:
    roles = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())
    return "all" in roles or bool(user.roles & set(roles))


def enrolled(user) -> bool:
    return user.totp_enabled_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(secret: str, email: str) -> str:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = timeutil.utcnow()
    step = totp.timecode(now)
    for offset in range(-WINDOW, WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _hash(code: str) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def check(user: User, code: str) -> str | None:
    """'totp' or 'recovery' when ``code`` is a valid, unused code of ``user``; else None."""
    if not enrolled(user):
        return None
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None  # used already (a replayed code)
        user.totp_last_step = step
        return "totp"
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None)))
    if row is None:
        return None
    row.used_at = timeutil.utcnow()
    return "recovery"


def confirm_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """Enrol ``user`` with ``secret`` if ``code`` proves their app has it; the recovery codes
    (shown once), or None."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = timeutil.utcnow()
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    security_event("totp_enrolled", user.email, user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def remaining_recovery_codes(user: User) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def reset(user: User, actor=None) -> None:
    """Forget the user's second factor and recovery codes and end their sessions; they enrol
    again at their next sign-in (where it is required)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = end_sessions(user.id, "admin")
    security_event("totp_reset", user.email, actor, count=ended)
