from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """The push queue's depth is among every process's metrics (registered on import), PyJWT
        checks the token key once, and logins and e-mails are compared by `lower_exact`."""
        from accounts.push import queue_metrics  # noqa: F401
        from accounts.tokens import check_hmac_keys_once
        from config import lookups

        check_hmac_keys_once()
        lookups.register()
