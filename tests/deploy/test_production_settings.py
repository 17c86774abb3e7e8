"""The documented production settings (docs/deploy/chat.env) pass Django's deployment checks,
and every variable they set is one the README documents."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.deploy.conftest import DEPLOY, production_environment

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy`, failing on warnings, with the production file's settings."""
    inherited = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=inherited | production_environment() | overrides,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_check_deploy_passes_with_the_documented_production_settings():
    checked = check_deploy()
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_same_check_fails_without_https_so_it_can_tell():
    checked = check_deploy(HTTPS="0")
    assert checked.returncode != 0
    assert "security.W008" in checked.stderr and "security.W012" in checked.stderr


def test_every_variable_of_the_production_file_is_documented():
    readme = (ROOT / "README.md").read_text()
    names = production_environment().keys()
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_the_systemd_units_run_commands_that_exist():
    for unit in ("chat@.service", "chat-push-worker.service", "chat-purge.service"):
        command = re.search(r"^ExecStart=(.*)$", (DEPLOY / unit).read_text(), re.MULTILINE).group(1)
        argv = command.replace("/srv/chat/.venv/bin/python", sys.executable).replace("%i", "8001").split()
        assert argv[:2] in ([sys.executable, "-m"], [sys.executable, "manage.py"])
        helped = subprocess.run(
            [*argv[:3], "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ)
        )
        assert helped.returncode == 0, helped.stderr
