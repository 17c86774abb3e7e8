from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        """Published events reach messaging's receivers inside their transaction: every one the
        operations log, membership changes the notices they leave in the group's history."""
        from events.delivery import event_published
        from events.kinds import MembersAdded, MembersRemoved
        from messaging.membership_notices import members_added_notice, members_removed_notice
        from messaging.oplog import oplog_record

        event_published.connect(oplog_record, dispatch_uid="messaging.oplog")
        event_published.connect(members_added_notice, sender=MembersAdded, dispatch_uid="messaging.added")
        event_published.connect(members_removed_notice, sender=MembersRemoved, dispatch_uid="messaging.removed")
