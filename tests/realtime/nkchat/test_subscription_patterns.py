"""Subscription patterns, without a connection."""

from protocols.nkchat.subscriptions import Pattern, Subscriptions, pattern


def test_patterns_match_and_cover():
    subs = Subscriptions()
    subs.add(pattern("chat", "conversation", "*", "7"))
    assert subs.matches("chat", "conversation", "created_message", "7")
    assert not subs.matches("chat", "conversation", "created_message", "8")
    assert not subs.matches("chat", "user", "created", "7")
    assert Pattern(cls="chat").covers(Pattern("chat", "conversation", None, "7"))
    assert not Pattern("chat", "conversation", "created", None).covers(Pattern("chat", "conversation", None, None))
    assert subs.remove(pattern("chat", "conversation", "created", "7")) == 0
    assert subs.remove(pattern("chat", "*", "*", "*")) == 1 and len(subs) == 0
