"""The load tool's database preparation: each run starts from the same memberships, and phone users
sign in with the codes it keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import verification
from accounts.models import PhoneVerification
from chats.models import Participant
from loadtest.provision import CODE_MARGIN, earlier_groups_leave, phone_users_provision
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_users_leave_earlier_runs_groups_only():
    first, second, other = make_user(), make_user(), make_user()
    earlier = [make_group(first, second, other, name="loadtest 0.0") for _ in range(2)]
    kept = make_group(first, second, other, name="loadtest party")  # not a run's name: "loadtest " then a number
    family = make_group(first, second, other, name="family")

    assert earlier_groups_leave([first.pk, second.pk]) == 4

    memberships = set(Participant.objects.values_list("conversation_id", "user_id"))
    assert memberships == {
        *((earlier_group.pk, other.pk) for earlier_group in earlier),
        *((group.pk, user.pk) for group in (kept, family) for user in (first, second, other)),
    }


def test_phone_users_sign_in_with_their_codes_even_after_another_run_verified_them_again(tmp_path):
    mine, elsewhere = tmp_path / "mine.json", tmp_path / "elsewhere.json"
    first = phone_users_provision(2, country_code="65", number_prefix="9", codes_file=mine)
    phone_users_provision(1, country_code="65", number_prefix="9", codes_file=elsewhere)  # the first phone

    again = phone_users_provision(2, country_code="65", number_prefix="9", codes_file=mine)

    assert [user["phone_number"] for user in again] == ["90000000", "90000001"]
    assert again[1]["code"] == first[1]["code"]  # untouched: kept, not asked for again
    for user in again:
        signed_in = verification.phone_sign_in(
            country_code="65", phone_number=user["phone_number"], code=user["code"], address=None
        )
        assert signed_in.pk == user["user_id"]


def test_a_phone_whose_kept_code_stops_signing_in_soon_gets_a_new_one(tmp_path, settings):
    codes = tmp_path / "codes.json"
    (first,) = phone_users_provision(1, country_code="65", number_prefix="9", codes_file=codes)
    kept = PhoneVerification.objects.get(country_code="65", phone_number=first["phone_number"])
    # Verified long ago: the code signs in for less than the margin a run needs.
    kept.verified_at = timezone.now() - timedelta(seconds=settings.VERIFICATION_SIGN_IN_TTL) + CODE_MARGIN / 2
    kept.save(update_fields=["verified_at"])

    (again,) = phone_users_provision(1, country_code="65", number_prefix="9", codes_file=codes)

    newest = PhoneVerification.objects.filter(phone_number=first["phone_number"]).latest("created_at", "id")
    assert newest.pk != kept.pk and newest.verified_at is not None
    signed_in = verification.phone_sign_in(
        country_code="65", phone_number=again["phone_number"], code=again["code"], address=None
    )
    assert signed_in.pk == first["user_id"]
