"""The secret key of an install that sets no SECRET_KEY: random, made on first start and kept in
a file only its owner reads, so no two installs share a key and restarts keep sessions."""

import os
import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    """The key kept at `path`, created (mode 0600) if there is none yet."""
    if not path.exists():
        _create(path)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to have a new secret key made")
    return key


def _create(path: Path) -> None:
    """Write a new key to a private temporary file and link it into place: a process starting at
    the same moment either links first (and its key is kept) or reads a complete file."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
