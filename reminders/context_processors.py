"""The unread count of the notification centre, for the bell in the header (base.html)."""


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The count kept on the user row, which the auth middleware has loaded already: the
    # bell costs no query (reminders.services.unread_refresh keeps it).
    return {"unread_notifications": user.unread_notifications}
