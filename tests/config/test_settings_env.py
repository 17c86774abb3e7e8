"""Settings read from the environment say what a value means or refuse it: a typo stops the server
instead of silently choosing something else."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_choice


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]
)
def test_a_boolean_reads_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", not expected) is expected


def test_a_boolean_not_set_is_its_default_and_a_typo_is_refused(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "treu")
    with pytest.raises(ImproperlyConfigured, match="FLAG='treu': use 1/true/yes/on or 0/false/no/off"):
        env_bool("FLAG", False)


def test_a_choice_takes_one_of_its_values_and_refuses_the_rest(monkeypatch):
    monkeypatch.delenv("LAYER", raising=False)
    assert env_choice("LAYER", "pubsub", ("pubsub", "core")) == "pubsub"
    monkeypatch.setenv("LAYER", "Core")
    assert env_choice("LAYER", "pubsub", ("pubsub", "core")) == "core"
    monkeypatch.setenv("LAYER", "cor")
    with pytest.raises(ImproperlyConfigured, match="LAYER='cor': use one of pubsub, core"):
        env_choice("LAYER", "pubsub", ("pubsub", "core"))
