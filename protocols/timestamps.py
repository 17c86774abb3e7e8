"""Times on the wire as SAMA and Hooligram send them: UTC, to the millisecond, with a `Z`."""

import time
from functools import lru_cache


def iso(ts: float | None) -> str | None:
    """Unix seconds as "2022-10-13T13:11:04.447Z" (the millisecond truncated, as `isoformat` does).

    Every delivered message carries one or two, so the text up to the second is kept for the
    seconds seen last (a message's times, and the next messages', share it): a fifth of
    `datetime.strftime`'s cost."""
    if ts is None:
        return None
    # Rounded to the microsecond first, as `datetime.fromtimestamp` does (a time is stored to the
    # microsecond); the second and the millisecond come from that one number, so they always agree.
    seconds, micros = divmod(round(ts * 1_000_000), 1_000_000)
    return f"{_to_the_second(seconds)}.{micros // 1000:03d}Z"


@lru_cache(maxsize=4096)
def _to_the_second(seconds: int) -> str:
    t = time.gmtime(seconds)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
