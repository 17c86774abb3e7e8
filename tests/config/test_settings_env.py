"""Settings come from the environment through environs: a malformed value stops the server with a
message naming the variable, and every variable the settings read is documented in the README."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh interpreter with these variables set."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | variables
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DATABASE_PREPARED_STATEMENTS", "treu", "Not a valid boolean."),
        ("CHANNEL_LAYER", "cor", "Must be one of: pubsub, core."),
        ("DATABASE_POOL_MAX", "twenty", "Not a valid integer."),
        ("LOG_LEVEL", "LOUD", "Must be one of"),
        ("PHONE_DEFAULT_REGION", "gb", "Must be a region code such as GB or US."),
    ],
)
def test_a_malformed_value_stops_the_server_naming_the_variable(name, value, reason):
    started = start_settings(**{name: value})
    assert started.returncode != 0
    assert f'Environment variable "{name}" invalid' in started.stderr
    assert reason in started.stderr


def test_the_usual_words_turn_a_switch_on_and_off():
    assert start_settings(DATABASE_PREPARED_STATEMENTS="yes", EMAIL_USE_TLS="off").returncode == 0


def test_every_variable_the_settings_read_is_in_the_readme():
    settings_source = "".join((ROOT / "config" / name).read_text() for name in ("settings.py", "settings_accounts.py"))
    read = set(re.findall(r'env(?:\.\w+|_list)\(\s*"([A-Z0-9_]+)"', settings_source))
    assert {"DEBUG", "DATABASE_URL", "CHANNEL_LAYER", "LOG_LEVEL", "LOGIN_RATE", "SMS_BACKEND"} <= read
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in read if f"`{name}`" not in readme)
    assert undocumented == []
