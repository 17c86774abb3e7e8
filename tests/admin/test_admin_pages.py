import pytest
from django.contrib import admin

from messaging.sending import message_send
from tests.helpers import make_private, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_list_renders_with_search(admin_client, model):
    alice, bob = make_user(), make_user()
    conversation = make_private(alice, bob)
    message_send(alice, conversation_id=conversation.pk, body="hi")
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "a"}).status_code == 200
