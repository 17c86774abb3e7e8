"""Settings for the test suite: the real settings, with a fast password hasher and a channel-layer
and cache prefix of the run's own."""

import os
import secrets

from config.settings import *  # noqa: F403

# The default PBKDF2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests open and close connections from many threads; don't keep them.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Each run starts its user ids from 1 again: a prefix of its own keeps earlier runs' presence
# entries and events in Redis out of it. Server processes started by the tests inherit it.
os.environ.setdefault("TEST_RUN_ID", secrets.token_hex(4))
CHANNEL_LAYER_PREFIX = f"{CHANNEL_LAYER_PREFIX}.t{os.environ['TEST_RUN_ID']}"  # noqa: F405
if REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = CHANNEL_LAYER_PREFIX  # noqa: F405
# ... and so does the cache, where the login and registration counters live.
CACHES["default"]["KEY_PREFIX"] = CHANNEL_LAYER_PREFIX  # noqa: F405
