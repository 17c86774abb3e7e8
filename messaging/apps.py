from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        """Every published event is offered to the operations log, inside its transaction."""
        from events.delivery import event_published
        from messaging.oplog import oplog_record

        event_published.connect(oplog_record, dispatch_uid="messaging.oplog")
