"""Reactions to messages: a user who sees a message adds or removes short strings (usually emoji) on
it, several different ones each if they like; the conversation's participants who see the message
are told of each real change. Beyond SAMA's 2023 document (SAMA's newer API has them): every
protocol shows them where it has a place for them."""

from collections.abc import Sequence
from typing import TypedDict

from django.db import transaction
from django.db.models import Count, Q

from accounts.models import User
from config.errors import Invalid
from events.delivery import publish
from events.kinds import MessageReactionsUpdated
from messaging.access import access_message, viewers_of
from messaging.models import MessageReaction

REACTION_MAX = 10  # in UTF-16 code units, as SAMA's original server counts a string's length


class ReactionsSummary(TypedDict):
    """A message's reactions as one viewer sees them: their own, and how many of each there are."""

    own: list[str]
    total: dict[str, int]


def reaction_clean(value: object, field: str) -> str:
    """A reaction: a non-empty string of at most REACTION_MAX UTF-16 code units, or Invalid."""
    if not isinstance(value, str) or not value:
        raise Invalid(f"{field} must be a non-empty string", code="invalid_reaction")
    if len(value.encode("utf-16-le")) // 2 > REACTION_MAX:
        raise Invalid(f"{field} must be at most {REACTION_MAX} characters long", code="invalid_reaction")
    return value


@transaction.atomic
def message_reactions_update(
    actor: User,
    *,
    message_id: int,
    add: object = None,
    remove: object = None,
    origin: str | None = None,
) -> tuple[str | None, str | None]:
    """Add and/or remove one of the actor's reactions on a message they see; answers (added,
    removed), each None when it changed nothing (already there, or not there; the same reaction in
    both is removed, then put back). Participants who see the message are told
    (`MessageReactionsUpdated`) only when something changed."""
    if add is None and remove is None:
        raise Invalid("add or remove is required", code="reaction_required")
    added = reaction_clean(add, "add") if add is not None else None
    removed = reaction_clean(remove, "remove") if remove is not None else None
    # Locked, so that a deletion of the message for everyone (which locks it) comes wholly before
    # or after: a reaction never survives on a deleted message.
    message = access_message(actor, message_id, lock=True)
    if removed is not None:
        gone, _ = MessageReaction.objects.filter(message=message, user=actor, reaction=removed).delete()
        removed = removed if gone else None
    if added is not None:
        _, created = MessageReaction.objects.get_or_create(message=message, user=actor, reaction=added)
        added = added if created else None
    if added == removed:  # nothing changed, or one reaction removed and put back
        return None, None
    publish(
        MessageReactionsUpdated(
            recipients=viewers_of(message),
            actor_id=actor.pk,
            origin=origin,
            conversation_id=message.conversation_id,
            conversation_type=message.conversation.type,
            message_id=message.pk,
            added=added,
            removed=removed,
        )
    )
    return added, removed


def message_reactions_list(user: User, *, message_id: int) -> dict[str, list[int]]:
    """Who used each reaction on a message the user sees: reaction -> user ids, in id order."""
    message = access_message(user, message_id)
    found: dict[str, list[int]] = {}
    rows = MessageReaction.objects.filter(message=message).order_by("reaction", "user_id")
    for reaction, user_id in rows.values_list("reaction", "user_id"):
        found.setdefault(reaction, []).append(user_id)
    return found


def reactions_summaries(user: User | int, message_ids: Sequence[int]) -> dict[int, ReactionsSummary]:
    """For the messages of a page the user was shown: each reacted message's summary for them (one
    query, whatever the number of messages); a message without reactions is left out."""
    user_id = user if isinstance(user, int) else user.pk
    summaries: dict[int, ReactionsSummary] = {}
    if not message_ids:
        return summaries
    rows = (
        MessageReaction.objects.filter(message_id__in=sorted(set(message_ids)))
        .values("message_id", "reaction")
        .annotate(total=Count("id"), own=Count("id", filter=Q(user_id=user_id)))
        .order_by("message_id", "reaction")
        .values_list("message_id", "reaction", "total", "own")
    )
    for message_id, reaction, total, own in rows:
        summary = summaries.setdefault(message_id, {"own": [], "total": {}})
        summary["total"][reaction] = total
        if own:
            summary["own"].append(reaction)
    return summaries
