"""The deployment guide's files (docs/deploy/), read as an operator would use them."""

import secrets
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def production_environment() -> dict[str, str]:
    """docs/deploy/chat.env's variables, with a real random SECRET_KEY in place of its placeholder."""
    variables = {}
    for line in (DEPLOY / "chat.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return variables
