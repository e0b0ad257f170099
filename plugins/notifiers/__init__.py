"""Built-in notifier plugins: channels that deliver the relay's notifications."""
