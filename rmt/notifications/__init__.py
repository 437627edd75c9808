"""Notifications and reminders: in the app, by e-mail (an outbox), and a daily summary.

See docs/notifications.md.
"""
