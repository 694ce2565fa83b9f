"""Settings, read from the environment (and the instance folder for the secret key)."""

import os
import secrets
from pathlib import Path


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "lms_risk.sqlite")
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
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def build_config(instance_path: str) -> dict:
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Uploads (the Excel import) are bounded here and in the workbook reader.
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_RISK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "IMPORT_MAX_ROWS": int(os.environ.get("LMS_RISK_IMPORT_MAX_ROWS", 20000)),
        "IMPORT_MAX_COLUMNS": int(os.environ.get("LMS_RISK_IMPORT_MAX_COLUMNS", 100)),
        "IMPORT_MAX_CELL_CHARS": int(os.environ.get("LMS_RISK_IMPORT_MAX_CELL_CHARS", 32767)),
        "REGISTER_PAGE_SIZE": int(os.environ.get("LMS_RISK_PAGE_SIZE", 50)),
    }
