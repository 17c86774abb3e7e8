"""Settings for the test suite: the real settings, with a fast password hasher."""

from config.settings import *  # noqa: F403

# The default PBKDF2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests open and close connections from many threads; don't keep them.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
