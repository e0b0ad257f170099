"""Built-in notifiers: channels the relay hands every notification event to (core/notifications.py)."""
