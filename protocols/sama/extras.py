"""The rest of SAMA beyond users, conversations and messages: address book, push, last activity,
operations log, attachments, blocking, reactions, password reset, one's own settings of a
conversation and message search, gathered into one mixin for `SamaAdapter`."""

from protocols.sama.blocks import SamaBlocksMixin
from protocols.sama.contacts import SamaContactsMixin
from protocols.sama.conversation_settings import SamaConversationSettingsMixin
from protocols.sama.files import SamaFilesMixin
from protocols.sama.message_search import SamaMessageSearchMixin
from protocols.sama.oplog import SamaOpLogMixin
from protocols.sama.password_reset import SamaPasswordResetMixin
from protocols.sama.presence import SamaPresenceMixin
from protocols.sama.push import SamaPushMixin
from protocols.sama.reactions import SamaReactionsMixin
from protocols.sama.unsupported import SamaUnsupportedMixin


class SamaExtrasMixin(
    SamaContactsMixin,
    SamaPushMixin,
    SamaPresenceMixin,
    SamaOpLogMixin,
    SamaFilesMixin,
    SamaBlocksMixin,
    SamaPasswordResetMixin,
    SamaReactionsMixin,
    SamaConversationSettingsMixin,
    SamaMessageSearchMixin,
    SamaUnsupportedMixin,
):
    """Request handlers named in EXTRA_REQUESTS."""


# request name -> handler method
EXTRA_REQUESTS: dict[str, str] = {
    "contact_add": "contact_add",
    "contacts": "contacts_batch_add",
    "contact_batch_add": "contacts_batch_add",
    "contact_update": "contact_update",
    "contact_list": "contact_list",
    "contact_delete": "contact_delete",
    "push_subscription_create": "push_subscription_create",
    "push_subscription_list": "push_subscription_list",
    "push_subscription_delete": "push_subscription_delete",
    "push_event_create": "push_event_create",
    "user_last_activity": "user_last_activity",
    "user_last_activity_subscribe": "user_last_activity_subscribe",
    "user_last_activity_unsubscribe": "user_last_activity_unsubscribe",
    "op_log_list": "op_log_list",
    "create_files": "create_files",
    "get_file_urls": "get_file_urls",
    "block_user": "block_user",
    "unblock_user": "unblock_user",
    "list_blocked_users": "list_blocked_users",
    "user_send_otp": "user_send_otp",
    "user_reset_password": "user_reset_password",
    "message_reactions_update": "message_reactions_update",
    "message_reactions_list": "message_reactions_list",
    "conversation_settings_update": "conversation_settings_update",
    "message_search": "message_search",
    "message_summary": "message_summary",
    "message_tone": "message_tone",
}
