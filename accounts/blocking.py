"""User blocks: who refuses to hear from whom, and the checks every protocol's writes go through."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import User, UserBlock
from config.errors import Forbidden, Invalid, NotFound
from config.id_lists import ids_distinct

IDS_MAX = 100
BLOCKED_MESSAGE = "User is blocked"


def _wanted(actor: User, user_ids: Iterable[int]) -> set[int]:
    return set(ids_distinct(user_ids, limit=IDS_MAX, required=True))


@transaction.atomic
def users_block(actor: User, *, user_ids: Iterable[int]) -> list[int]:
    """The actor blocks these users (blocking twice is harmless); answers their ids."""
    wanted = _wanted(actor, user_ids)
    if actor.pk in wanted:
        raise Invalid("You cannot block yourself", code="block_self")
    found = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    missing = wanted - found
    if missing:
        raise NotFound(f"Users not found: {', '.join(str(i) for i in sorted(missing))}", code="user_not_found")
    UserBlock.objects.bulk_create(
        [UserBlock(blocker=actor, blocked_id=uid) for uid in sorted(found)], ignore_conflicts=True
    )
    return sorted(found)


@transaction.atomic
def users_unblock(actor: User, *, user_ids: Iterable[int]) -> None:
    """The actor unblocks these users; ids that were not blocked are ignored."""
    UserBlock.objects.filter(blocker=actor, blocked_id__in=_wanted(actor, user_ids)).delete()


def blocked_user_ids(actor: User) -> list[int]:
    """The ids of the users the actor blocked, oldest block first."""
    return list(
        UserBlock.objects.filter(blocker=actor).order_by("created_at", "id").values_list("blocked_id", flat=True)
    )


def blockers_among(user_id: int, candidate_ids: Iterable[int]) -> set[int]:
    """Those of the candidates who blocked `user_id`."""
    return set(
        UserBlock.objects.filter(blocked_id=user_id, blocker_id__in=list(candidate_ids)).values_list(
            "blocker_id", flat=True
        )
    )


def blocked_actor(actor_id: int, user_ref: str = "user_id") -> Exists:
    """Annotation: the row's user (`user_ref`) blocked the actor."""
    return Exists(UserBlock.objects.filter(blocker_id=OuterRef(user_ref), blocked_id=actor_id))


def blocked_by_actor(actor_id: int, user_ref: str = "user_id") -> Exists:
    """Annotation: the actor blocked the row's user (`user_ref`)."""
    return Exists(UserBlock.objects.filter(blocker_id=actor_id, blocked_id=OuterRef(user_ref)))


def ensure_can_reach(actor: User, users: Iterable[User], *, private: bool) -> None:
    """Forbidden if one of the users blocked the actor (for a private conversation, also if the
    actor blocked the other one): a blocked user cannot start a private conversation with, or add
    to a group, the user who blocked them."""
    ids = [u.pk for u in users]
    if not ids:
        return
    refused = UserBlock.objects.filter(blocker_id__in=ids, blocked_id=actor.pk)
    if private:
        refused = refused | UserBlock.objects.filter(blocker_id=actor.pk, blocked_id__in=ids)
    if refused.exists():
        raise Forbidden(BLOCKED_MESSAGE, code="user_blocked")


def message_hidden_for(*, private: bool, others: list[tuple[int, bool, bool]]) -> set[int]:
    """Who must not receive the actor's new message, from (user id, blocked the actor, blocked by
    the actor) of every other participant. A private conversation with a block either way refuses
    the message; in a group it is hidden from those who blocked the sender, and refused when that
    is everyone else."""
    blockers = {uid for uid, blocked_actor_, _ in others if blocked_actor_}
    if private:
        if any(a or b for _, a, b in others):
            raise Forbidden(BLOCKED_MESSAGE, code="user_blocked")
        return set()
    if blockers and len(blockers) == len(others):
        raise Forbidden("Every participant has blocked you", code="user_blocked_for_all")
    return blockers
