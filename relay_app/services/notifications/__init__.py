"""Notifications (issue 17): events raised by the relay, delivered by notifier plugins off the request path."""

from .preferences import Preferences
from .service import NotificationService

__all__ = ["NotificationService", "Preferences"]
