"""config.batch_delete: the rows a rule names go a bounded batch at a time, each batch re-judged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Contact
from config.batch_delete import rows_delete
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


class Bar:
    """A progress display that remembers what it was told."""

    def __init__(self) -> None:
        self.total: float | None = None
        self.steps: list[float | None] = []

    def reset(self, total: float | None = None) -> None:
        self.total = total

    def update(self, n: float | None = 1) -> None:
        self.steps.append(n)


def test_rows_go_in_batches_of_at_most_the_batch_size_and_others_stay():
    owner = make_user()
    Contact.objects.bulk_create([Contact(owner=owner, company="old") for _ in range(5)])
    kept = Contact.objects.create(owner=owner, company="new")
    bar = Bar()
    with CaptureQueriesContext(connection) as captured:
        assert rows_delete(Contact.objects.filter(company="old"), batch=2, progress=bar) == 5
    deletes = [q["sql"] for q in captured if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1
    assert (bar.total, bar.steps) == (5, [2, 2, 1])
    assert list(Contact.objects.all()) == [kept]


def test_a_dry_run_counts_and_deletes_nothing():
    owner = make_user()
    Contact.objects.bulk_create([Contact(owner=owner, company="old") for _ in range(3)])
    assert rows_delete(Contact.objects.filter(company="old"), dry_run=True) == 3
    assert Contact.objects.count() == 3


def test_a_row_that_stopped_matching_since_it_was_read_stays(monkeypatch):
    owner = make_user()
    first, second = (Contact.objects.create(owner=owner, company="old") for _ in range(2))
    rows = Contact.objects.filter(company="old")
    real_filter = type(rows).filter

    def filter_then_change(self, *args, **kwargs):  # the row changes between the read and the DELETE
        if "pk__in" in kwargs:
            Contact.objects.filter(pk=second.pk).update(company="new")
        return real_filter(self, *args, **kwargs)

    monkeypatch.setattr(type(rows), "filter", filter_then_change)
    assert rows_delete(rows) == 1
    monkeypatch.undo()
    assert list(Contact.objects.values_list("pk", flat=True)) == [second.pk]
    assert not Contact.objects.filter(pk=first.pk).exists()
