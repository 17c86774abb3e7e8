from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def _leave_before_deletion(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A deleted account leaves its conversations first, as by leaving them one by one: nobody is
    left in a group without an owner, and the others see it go."""
    from chats.membership import conversations_leave_all

    conversations_leave_all(instance)


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Chats"

    def ready(self) -> None:
        pre_delete.connect(_leave_before_deletion, sender=settings.AUTH_USER_MODEL, dispatch_uid="chats.leave")
