from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """The push queue's depth is among every process's metrics (registered on import)."""
        from accounts.push import queue_metrics  # noqa: F401
