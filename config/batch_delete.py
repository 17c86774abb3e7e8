"""Deleting the rows a retention rule names, a bounded batch at a time: each batch is one short
DELETE in a transaction of its own, so a large backlog never holds its locks for long. A rule says
which rows go (a QuerySet); this module only counts or deletes them."""

from typing import Any, Protocol

from django.db import models

BATCH_SIZE = 1000


class Progress(Protocol):
    """What a progress display is told (a tqdm bar is one): the rows to go, then each batch gone."""

    def reset(self, total: float | None = None) -> None: ...

    def update(self, n: float | None = 1) -> bool | None: ...


def rows_delete(
    rows: "models.QuerySet[Any]", *, dry_run: bool = False, progress: Progress | None = None, batch: int = BATCH_SIZE
) -> int:
    """Delete `rows` in batches of `batch` ids, in id order; answers how many went (with `dry_run`,
    how many would go, and nothing is deleted). Each batch's DELETE applies the rule's condition
    again, so a row that stopped matching since it was read (a session signed in to meanwhile)
    stays. Rows of other models deleted with them (cascades) are not counted."""
    if dry_run:
        return rows.count()
    if progress is not None:
        progress.reset(total=rows.count())
    label = rows.model._meta.label
    deleted, last = 0, None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        ids = list(page.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        gone = rows.filter(pk__in=ids).delete()[1].get(label, 0)
        deleted += gone
        if progress is not None:
            progress.update(gone)
        if len(ids) < batch:
            return deleted
        last = ids[-1]
