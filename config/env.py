"""The reader of the environment variables every settings module reads."""

from environs import Env

# Every variable is read through environs: a malformed value (a switch that is not 1/true/yes/on or
# 0/false/no/off, a number that is not one, a name not among the choices) stops the server with
# "Environment variable "NAME" invalid: ...". The README's configuration table lists them all.
env = Env()


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty, stripped items."""
    return [item.strip() for item in env.list(name, default.split(",")) if item.strip()]
