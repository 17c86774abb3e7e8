"""A frame every connection of the process gets alike is built and serialized once per event."""

import json

from events.kinds import MessageCreated
from realtime.adapter import SharedFrame


def _message_created(message_id: int) -> MessageCreated:
    return MessageCreated(recipients=(1, 2), message={"id": message_id, "body": "héllo"})


def test_one_event_is_built_once_and_the_next_event_is_built_again():
    built = []

    def build(event: MessageCreated) -> dict:
        built.append(event.message["id"])
        return {"message": event.message}

    frame = SharedFrame(build)
    first, second = _message_created(1), _message_created(2)
    texts = [frame(first), frame(first), frame(first), frame(second), frame(first)]
    assert built == [1, 2, 1]
    assert texts[0] is texts[1] is texts[2]
    assert texts[0] == '{"message":{"id":1,"body":"héllo"}}'
    assert json.loads(texts[3]) == {"message": {"id": 2, "body": "héllo"}}


def test_an_equal_but_different_event_is_built_again():
    built = []
    frame = SharedFrame(lambda event: built.append(event) or {"id": event.message["id"]})
    first, equal = _message_created(1), _message_created(1)
    assert first == equal and first is not equal
    assert frame(first) == frame(equal) == '{"id":1}'
    assert len(built) == 2  # by identity: a later event never gets an earlier one's text
