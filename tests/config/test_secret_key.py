"""Without SECRET_KEY the settings make a random key on first start and keep it in a private,
git-ignored file; with DEBUG off they still refuse to start."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter; print the secret key it ends up with."""
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environ.update(SECRET_KEY_FILE=str(tmp_path / "key"), **env)
    code = "import config.settings as s; print(s.SECRET_KEY)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True)


def test_a_key_is_made_once_kept_private_and_reused(tmp_path):
    first = _settings(tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and "insecure" not in key
    assert (tmp_path / "key").read_text().strip() == key
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600
    assert _settings(tmp_path).stdout.strip() == key
    assert list(tmp_path.iterdir()) == [tmp_path / "key"]  # no temporary file left behind
    other = tmp_path / "other"
    other.mkdir()
    assert _settings(other).stdout.strip() != key


def test_an_explicit_key_wins_and_no_file_is_made(tmp_path):
    result = _settings(tmp_path, SECRET_KEY="from-the-environment")
    assert result.stdout.strip() == "from-the-environment" and not (tmp_path / "key").exists()


def test_debug_off_without_a_key_refuses_to_start(tmp_path):
    result = _settings(tmp_path, DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert not (tmp_path / "key").exists()


def test_no_key_is_written_in_the_repository():
    assert "insecure-development-key" not in (ROOT / "config" / "settings.py").read_text()
    assert ".secret_key" in (ROOT / ".gitignore").read_text().split()
