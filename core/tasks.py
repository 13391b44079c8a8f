"""Tasks of the core app."""

from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Answer "pong": proves that a worker takes tasks from the broker (see bin/run and
    `celery -A congress_portal call core.ping`)."""
    return "pong"
