"""Settings, read from the environment (and the instance folder for the secret key)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _private_file(path: Path, content: str = "") -> None:
    """Create ``path`` readable by its owner only from the first byte (never 0644 for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as file:
        file.write(content)


def _roles(value: str) -> tuple[str, ...]:
    roles = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    return () if roles in ((), ("none",)) else roles


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(instance_path) / "lms_risk.sqlite"
        _private_file(path)  # SQLite fills the empty file; its mode stays 0600
        return "sqlite:///" + str(path)
    # Accept the common short forms and use psycopg 3 for PostgreSQL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: str) -> str:
    """The key comes from ``SECRET_KEY`` or from ``instance/secret_key``, made once at random."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    _private_file(path, secrets.token_hex(32))
    return path.read_text().strip()


def build_config(instance_path: str) -> dict:
    secure = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    idle_minutes = _int("LMS_RISK_SESSION_IDLE_MINUTES", 30)
    max_hours = _int("LMS_RISK_SESSION_MAX_HOURS", 12)
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # Behind HTTPS the cookie is bound to this host only (no Domain, Path /, Secure).
        "SESSION_COOKIE_NAME": "__Host-session" if secure else "session",
        "HSTS_MAX_AGE": _int("LMS_RISK_HSTS_MAX_AGE", 31536000) if secure else 0,
        # Sessions live on the server (auth/sessions.py): idle timeout and absolute lifetime.
        "SESSION_IDLE_MINUTES": idle_minutes,
        "SESSION_MAX_HOURS": max_hours,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=max_hours),
        # Throttling of failed sign-ins, password checks and second factors (auth/throttle.py).
        "THROTTLE_WINDOW_MINUTES": _int("LMS_RISK_THROTTLE_WINDOW_MINUTES", 15),
        "THROTTLE_ACCOUNT_FAILURES": _int("LMS_RISK_THROTTLE_ACCOUNT_FAILURES", 5),
        "THROTTLE_ADDRESS_FAILURES": _int("LMS_RISK_THROTTLE_ADDRESS_FAILURES", 20),
        # Roles that must sign in with a second factor (TOTP): "admin,chair", "all" or "none".
        "TWO_FACTOR_REQUIRED_ROLES": _roles(os.environ.get("LMS_RISK_2FA_REQUIRED", "admin,chair")),
        # Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none).
        "TRUSTED_PROXIES": _int("LMS_RISK_TRUSTED_PROXIES", 0),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        # A token is tied to the session (cleared at sign-in and sign-out) and lives no longer.
        "WTF_CSRF_TIME_LIMIT": max_hours * 3600,
        # Uploads (the Excel import) are bounded here and in the workbook reader.
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_RISK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "IMPORT_MAX_ROWS": int(os.environ.get("LMS_RISK_IMPORT_MAX_ROWS", 20000)),
        "IMPORT_MAX_COLUMNS": int(os.environ.get("LMS_RISK_IMPORT_MAX_COLUMNS", 100)),
        "IMPORT_MAX_CELL_CHARS": int(os.environ.get("LMS_RISK_IMPORT_MAX_CELL_CHARS", 32767)),
        "REGISTER_PAGE_SIZE": int(os.environ.get("LMS_RISK_PAGE_SIZE", 50)),
    }
