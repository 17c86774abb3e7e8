"""Page sizes: what a client asks for, kept within the server's bounds."""

LIST_LIMIT_DEFAULT = 50
LIST_LIMIT_MAX = 100


def clamp_limit(limit: int | None, default: int = LIST_LIMIT_DEFAULT, maximum: int = LIST_LIMIT_MAX) -> int:
    """A page size within [1, maximum], `default` when not given."""
    if limit is None:
        return default
    return max(1, min(int(limit), maximum))
