import os

os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
