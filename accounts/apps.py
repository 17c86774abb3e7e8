from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """The push queue's depth is among every process's metrics (registered on import), and
        PyJWT checks the token key once."""
        from accounts.push import queue_metrics  # noqa: F401
        from accounts.tokens import check_hmac_keys_once

        check_hmac_keys_once()
