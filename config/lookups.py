"""`lower_exact`: a case-insensitive equality that the `Lower(...)` indexes serve.

Django's `iexact` compares `UPPER(field) = UPPER(value)` on PostgreSQL, which no index on
`Lower(field)` serves: every login looked up that way read the whole users table (5 ms at 10,000
users, and more in proportion to the users, for each password login, registration and Hooligram
group creation). `field__lower_exact=value` compares `LOWER(field) = LOWER(value)`, the very
expression of the unique constraint on logins and the index on e-mails, so the database finds the
row by index and judges "the same login" exactly as the constraint does. Registered on every
`CharField` (e-mail fields included) when the accounts app is ready."""

from typing import Any

from django.db.models import CharField, Lookup


class LowerExact(Lookup):
    """`LOWER(field) = LOWER(value)`."""

    lookup_name = "lower_exact"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", (*lhs_params, *rhs_params)


def register() -> None:
    """Make `lower_exact` available on every `CharField`."""
    CharField.register_lookup(LowerExact)
