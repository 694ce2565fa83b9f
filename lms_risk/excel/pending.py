"""Uploads that wait for their confirmation: kept under a random token bound to the uploader,
readable by the server's user only, forgotten after a day. Free of Flask."""

import os
import re
import secrets
import time
from pathlib import Path

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


class PendingUploads:
    def __init__(self, folder: Path, max_age_hours: int = 24):
        self.folder = Path(folder)
        self.max_age = max_age_hours * 3600

    def _path(self, owner, token: str, suffix: str) -> Path:
        return self.folder / f"{owner}-{token}{suffix}"

    def keep(self, owner, data: bytes, filename: str) -> str:
        """Store ``data`` for ``owner`` and return its token; older uploads are removed."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        limit = time.time() - self.max_age
        for old in self.folder.iterdir():  # the uploads and their .name files
            if old.stat().st_mtime < limit:
                old.unlink(missing_ok=True)
        token = secrets.token_urlsafe(24)
        _write_private(self._path(owner, token, ".xlsx"), data)
        _write_private(self._path(owner, token, ".name"), filename.encode())
        return token

    def get(self, owner, token: str | None) -> tuple[bytes, str] | None:
        """The upload and its file name, only for the owner; None when gone or malformed."""
        if not token or not TOKEN.match(token):
            return None
        path = self._path(owner, token, ".xlsx")
        if not path.exists():
            return None
        name = self._path(owner, token, ".name")
        return path.read_bytes(), name.read_text() if name.exists() else path.name

    def discard(self, owner, token: str) -> None:
        for suffix in (".xlsx", ".name"):
            self._path(owner, token, suffix).unlink(missing_ok=True)


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start: no moment in which another user of the server can read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
