"""Events as other processes send them: a field this version does not know is dropped."""

from events.kinds import MembersRemoved, event_from_channel_message


def test_an_event_from_another_version_keeps_the_fields_this_one_knows():
    conversation = {"id": 7, "participants": [2]}
    message = {
        "kind": "members_removed",
        # `left`, as the previous version sent it, during a rolling deploy
        "data": {"actor_id": 1, "origin": None, "conversation": conversation, "user_ids": [1], "left": True},
    }
    event = event_from_channel_message(message)
    assert isinstance(event, MembersRemoved)
    assert (event.actor_id, event.conversation, event.user_ids) == (1, conversation, [1])
