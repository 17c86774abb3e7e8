"""Push notifications: subscriptions, a queue of push events, pluggable delivery backends and the
worker that sends them (`manage.py push_worker`)."""
