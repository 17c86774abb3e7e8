"""What reads as an id, and a request's list of ids bounded by one rule with one wording,
whichever service takes it."""

import pytest

from accounts.blocking import users_block
from accounts.contacts import contact_list
from accounts.push.services import push_event_create
from config.errors import Invalid
from config.id_lists import wire_id
from messaging.attachments import file_download_urls
from messaging.editing import message_delete
from messaging.system_messages import system_message_send
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (2**63 - 1, 2**63 - 1),
        ("42", 42),
        ("9223372036854775807", 2**63 - 1),  # 19 digits
        ("0000000000000000042", 42),  # leading zeros within 19 digits
        (0, None),
        (-5, None),
        (2**63, None),
        ("9223372036854775808", None),
        ("00000000000000000042", None),  # 20 digits
        ("0", None),
        ("", None),
        ("4 2", None),
        ("42\n", None),
        ("\u0664\u0662", None),  # Arabic-Indic digits
        (True, None),
        (42.0, None),
        (None, None),
        ([42], None),
    ],
)
def test_an_id_is_a_positive_64_bit_integer_or_up_to_19_ascii_digits(value, expected):
    assert wire_id(value) == expected


def test_every_service_words_the_bound_and_the_empty_list_alike():
    alice, bob = make_user(), make_user()
    group = make_group(alice, bob, name="g")
    too_many = [
        (lambda: contact_list(alice, ids=range(1, 12)), "ids holds at most 10 ids"),
        (lambda: users_block(alice, user_ids=range(1, 102)), "ids holds at most 100 ids"),
        (
            lambda: message_delete(alice, conversation_id=group.pk, message_ids=range(1, 102), everyone=False),
            "ids holds at most 100 ids",
        ),
        (lambda: users_block(alice, user_ids=[]), "ids must not be empty"),
        (
            lambda: system_message_send(alice, client_id="n1", x={"a": 1}, user_ids=range(1, 102)),
            "uids holds at most 100 ids",
        ),
        (lambda: system_message_send(alice, client_id="n1", x={"a": 1}, user_ids=[]), "uids must not be empty"),
        (
            lambda: push_event_create(alice, recipient_ids=[], message={"title": "t"}),
            "recipients_ids must not be empty",
        ),
        (lambda: file_download_urls(alice, file_ids=[], base="http://testserver"), "file_ids must not be empty"),
        (
            lambda: message_delete(alice, conversation_id=group.pk, message_ids=[], everyone=False),
            "ids must not be empty",
        ),
    ]
    for call, message in too_many:
        with pytest.raises(Invalid) as refused:
            call()
        assert (refused.value.message, refused.value.code) == (message, "invalid_ids")
    assert contact_list(alice, ids=[1] * 20) == []  # the same id twenty times is one id
