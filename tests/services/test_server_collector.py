"""The server's collector timer: a collection long enough to be felt as latency is logged."""

import logging
import time

from config.server import SLOW_COLLECTION_S, CollectionTimer


def test_a_slow_collection_is_logged_and_a_quick_one_is_not(caplog):
    timer = CollectionTimer()
    with caplog.at_level(logging.WARNING, logger="config.server"):
        timer("start", {"generation": 0})
        timer("stop", {"generation": 0, "collected": 3})
        timer("start", {"generation": 2})
        time.sleep(SLOW_COLLECTION_S + 0.01)
        timer("stop", {"generation": 2, "collected": 42})
    assert [r.getMessage().split(" stopped")[0] for r in caplog.records] == ["garbage collection of generation 2"]
    assert caplog.records[0].getMessage().endswith("(42 objects freed)")
