"""Reading a `/metrics` answer in a test: every sample by name and labels. The registry is the
process's, shared by every test, so tests compare two readings rather than read absolutes."""

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a Prometheus text answer, by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(readings: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the series is not there yet)."""
    return readings.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much a sample changed between two readings."""
    return value(after, name, **labels) - value(before, name, **labels)
