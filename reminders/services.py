"""Writes of the reminders: the scan that creates the day's messages, the send, the
sweep and the admin's resend, marking notifications read, and the preferences. Tasks,
views, the admin and `manage.py send_reminders` call these."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import access
from core.sql import Prepared
from congresses.selectors import current_terms

from . import scan
from .emails import build_email
from .models import (
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    NotificationPreference,
    ReminderPolicy,
    ReminderRun,
)
from .selectors import items_queryset

logger = logging.getLogger(__name__)

# States an email can still be sent from.
SENDABLE = [DeliveryState.PENDING, DeliveryState.FAILED]
# Worth another try later: the server or the network failed. A refused recipient is not.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)


def policy_get(*, lock: bool = False, create: bool = True) -> ReminderPolicy:
    """The reminder policy, created with the defaults the first time (or, with
    `create=False`, the defaults unsaved: a dry run writes nothing). `lock` takes its row
    lock until the transaction ends: scans take it, so two scans (beat and a manual run)
    never interleave."""
    qs = ReminderPolicy.objects.select_for_update() if lock else ReminderPolicy.objects.all()
    policy = qs.filter(pk=ReminderPolicy.SINGLETON_PK).first()
    if policy is None:
        if not create:
            return ReminderPolicy(pk=ReminderPolicy.SINGLETON_PK)
        ReminderPolicy.objects.get_or_create(pk=ReminderPolicy.SINGLETON_PK)
        policy = qs.get(pk=ReminderPolicy.SINGLETON_PK)
    return policy


# --- The scan -------------------------------------------------------------------------------


@dataclass
class ScanResult:
    kind: str
    day: dt.date
    run: ReminderRun | None = None
    deliveries: int = 0
    items: int = 0
    emails_queued: int = 0
    tasks: int = 0
    rows: list[scan.CandidateRow] = field(default_factory=list)  # the dry run's
    skipped_reason: str = ""


def _enqueue(ids: list[int]) -> None:
    """Queue the sends when the transaction commits, REMINDERS_BATCH_SIZE ids a task. A
    failed publish (broker down) is logged, not raised: the rows stay pending and the
    sweep queues them again."""
    from .tasks import send_deliveries

    size = max(settings.REMINDERS_BATCH_SIZE, 1)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]

        def queue_send_deliveries(batch=batch) -> None:
            send_deliveries.delay(batch)

        transaction.on_commit(queue_send_deliveries, robust=True)


def reminders_scan(*, kind: str, day: dt.date | None = None, source: str = "", dry_run: bool = False) -> ScanResult:
    """Find what is due on `day` (today in Asia/Ho_Chi_Minh by default) and write the
    messages: the daily reminders (kind daily) or the weekly digest (kind weekly).

    Steps, in one transaction:
    1. lock the reminder policy (one scan at a time) and read it and the current terms (one per level);
    2. the candidates: one set-based SELECT over all milestones (reminders.scan);
    3. one message per recipient and channel: `INSERT … SELECT DISTINCT … ON CONFLICT DO
       NOTHING` on the key (recipient, channel, kind, day), so a second run writes
       nothing; in-app messages are written sent (they are the notification);
    4. the lines of this run's messages, in one more INSERT … SELECT;
    5. queue the pending emails in batches when the transaction commits.

    `dry_run` stops after step 2 and returns the candidate rows; it writes nothing.
    The weekly digest is written whatever the weekday: the task checks the policy's day.
    """
    day = day or timezone.localdate()
    result = ScanResult(kind=kind, day=day)
    with transaction.atomic():
        policy = policy_get(lock=not dry_run, create=not dry_run)
        terms = current_terms()
        if not terms.terms:
            result.skipped_reason = "no term"
            return result
        if kind == Kind.DAILY:
            candidates = scan.daily_candidates(day=day, policy=policy, terms=terms.pairs())
        elif kind == Kind.WEEKLY:
            candidates = (scan.weekly_candidates(day=day, terms=terms.pairs()) if policy.weekly_digest_enabled
                          else scan.Candidates(""))
        else:
            raise ValueError(f"Unknown kind {kind!r}")
        if dry_run:
            result.rows = scan.read_candidates(candidates, kind=kind, day=day)
            return result
        run = ReminderRun.objects.create(kind=kind, day=day, source=source[:32])
        result.run = run
        if candidates:
            now = timezone.now()
            result.deliveries = scan.insert_deliveries(candidates, run_id=run.pk, kind=kind, day=day, now=now)
            scan.refresh_statistics(result.deliveries, tables=(scan.D,))  # insert_items joins them
            result.items = scan.insert_items(candidates, run_id=run.pk)
            scan.refresh_statistics(result.deliveries + result.items)
            ids = list(
                Delivery.objects.filter(run=run, channel=Channel.EMAIL, state=DeliveryState.PENDING)
                .order_by("pk").values_list("pk", flat=True)
            )
            _enqueue(ids)
            result.emails_queued = len(ids)
            result.tasks = -(-len(ids) // max(settings.REMINDERS_BATCH_SIZE, 1))
        if result.deliveries:
            unread_refresh(Delivery.objects.filter(run=run, channel=Channel.INAPP).values("recipient_id"))
        run.deliveries_created, run.items_created = result.deliveries, result.items
        run.finished_at = timezone.now()
        run.save(update_fields=["deliveries_created", "items_created", "finished_at"])
    logger.info("reminders scan %s %s: %d messages, %d lines, %d emails queued",
                kind, day, result.deliveries, result.items, result.emails_queued)
    return result


def weekly_digest_due(day: dt.date) -> bool:
    return policy_get(create=False).is_digest_day(day)


# --- Sending --------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # failed, to be tried again
    failed: list[int] = field(default_factory=list)  # failed for good (until an admin resends)
    skipped: list[int] = field(default_factory=list)  # nothing left to remind
    busy: list[int] = field(default_factory=list)  # sent already, or being sent by another worker


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 — a broken connection is dropped either way
        logger.debug("closing the email connection failed", exc_info=True)


def _fail(delivery_id: int, *, attempts: int, error: BaseException, retry_at: dt.datetime | None) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        state=DeliveryState.FAILED, attempts=attempts, next_attempt_at=retry_at,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


# A retry may run a little before the time it was planned for (clocks of two machines).
RETRY_EARLY_GRACE = dt.timedelta(seconds=5)


def _sendable(only_due: bool, now: dt.datetime | None = None) -> Q:
    """Rows an email can be sent from: pending or failed; with `only_due` (a planned
    retry), a failed row only once its next attempt is due (at `now`, by default the
    current time)."""
    if not only_due:
        return Q(state__in=SENDABLE)
    return Q(state=DeliveryState.PENDING) | Q(
        state=DeliveryState.FAILED, next_attempt_at__lte=(now or timezone.now()) + RETRY_EARLY_GRACE
    )


def _lock_query(*, pk: int, sendable: Q):
    return Delivery.objects.select_for_update(skip_locked=True).filter(sendable, pk=pk).values_list("attempts")


# The row lock of step 2 below, built with the ORM once per batch shape and run again for
# each row with its id (core.sql): the same SQL, without building it 100 times a batch.
_LOCK = Prepared(_lock_query)


def _lock(pk: int, only_due: bool, now: dt.datetime) -> int | None:
    """Lock the row if it is still sendable and nobody holds it (SELECT … FOR UPDATE SKIP
    LOCKED, inside the caller's transaction): its attempts so far, or None."""
    rows = _LOCK(("lock", only_due, now if only_due else None), {"sendable": _sendable(only_due, now)}, pk=pk)
    return rows[0][0] if rows else None


def _mark_sent(pk: int, attempts: int) -> None:
    """What `Delivery.objects.filter(pk=pk).update(state=SENT, …)` writes, as one
    statement written once (a sent row is the hot path: one per email)."""
    ops = db_connection.ops
    table, quote = Delivery._meta.db_table, ops.quote_name
    columns = ", ".join(f"{quote(c)} = %s" for c in ("state", "sent_at", "attempts", "last_error", "next_attempt_at"))
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {columns} WHERE {quote('id')} = %s",
            [DeliveryState.SENT.value, ops.adapt_datetimefield_value(timezone.now()), attempts, "", None, pk],
        )


def deliveries_send(*, ids: list[int], retry_in: dt.timedelta | None = None, only_due: bool = False) -> SendResult:
    """Send the email deliveries `ids` that are still pending or failed.

    Exactly once, per delivery:
    1. render the message from the lines still true now (a milestone done or moved since
       the scan drops out; with none left the row is `skipped`);
    2. in one transaction: lock the row with SELECT … FOR UPDATE SKIP LOCKED, only if it
       is still pending or failed; send it over SMTP; mark it sent (or failed, with the
       error and when to retry); commit.

    Why this shape: the row is locked for the whole send, so a task delivered twice (a
    redelivery after the visibility timeout, a retry, the sweep, an admin resend) finds it
    locked or already sent and skips it. A worker killed before the commit rolls back to
    pending, and the redelivered task sends it: nothing is lost, and no row is ever stuck
    "sending". The one window for a duplicate is a crash after the SMTP server accepted
    the message and before the commit returns (milliseconds); the Message-ID is the same
    on every attempt (emails.message_id) so a duplicate is recognisable. The price is a
    row lock held for one SMTP exchange (EMAIL_TIMEOUT bounds it).

    A transient error (SMTP, network) marks the row failed with the error and, while
    attempts < REMINDERS_MAX_ATTEMPTS and `retry_in` is given, plans a retry; the caller
    (the task) retries exactly those ids. Any other error marks it failed for good: the
    admin can resend it. A planned retry passes `only_due`: should the broker deliver it
    several times (Redis redelivers a countdown task every visibility timeout), the first
    copy makes the attempt and plans the next; the other copies find it not yet due and
    leave it, instead of each burning an attempt.
    """
    result = SendResult()
    now = timezone.now()  # a planned retry's rows due at the start of the batch
    deliveries = list(
        Delivery.objects.filter(_sendable(only_due, now), pk__in=ids, channel=Channel.EMAIL)
        .select_related("recipient")
        .prefetch_related(Prefetch("items", queryset=items_queryset()))
        .order_by("pk")
    )
    result.busy = sorted(set(ids) - {d.pk for d in deliveries})
    access.prime(d.recipient for d in deliveries)  # each email links to its recipient's scope
    connection = get_connection()
    try:
        for delivery in deliveries:
            _send_one(delivery, connection=connection, retry_in=retry_in, only_due=only_due, result=result, now=now)
    finally:
        _close_quietly(connection)
    return result


def _send_one(
    delivery: Delivery, *, connection, retry_in: dt.timedelta | None, only_due: bool, result: SendResult,
    now: dt.datetime,
) -> None:
    recipient = delivery.recipient
    try:
        email = build_email(delivery, list(delivery.items.all()), connection=connection) \
            if recipient.is_active and recipient.email else None
    except Exception as exc:  # noqa: BLE001 — a broken template must not stop the batch
        logger.exception("reminder %s could not be rendered", delivery.pk)
        _fail(delivery.pk, attempts=delivery.attempts + 1, error=exc, retry_at=None)
        result.failed.append(delivery.pk)
        return
    if email is None:
        updated = Delivery.objects.filter(_sendable(only_due, now), pk=delivery.pk).update(
            state=DeliveryState.SKIPPED, next_attempt_at=None
        )
        (result.skipped if updated else result.busy).append(delivery.pk)
        return

    with transaction.atomic():
        attempts = _lock(delivery.pk, only_due, now)
        if attempts is None:  # sent meanwhile, or another worker holds it right now
            result.busy.append(delivery.pk)
            return
        attempts += 1
        try:
            email.send()
        except Exception as exc:  # noqa: BLE001 — recorded on the row, never dropped
            _close_quietly(connection)  # the next message opens a fresh connection
            transient = isinstance(exc, TRANSIENT_ERRORS) and not isinstance(exc, PERMANENT_ERRORS)
            retry = transient and retry_in is not None and attempts < settings.REMINDERS_MAX_ATTEMPTS
            _fail(delivery.pk, attempts=attempts, error=exc, retry_at=timezone.now() + retry_in if retry else None)
            (result.retry if retry else result.failed).append(delivery.pk)
            logger.warning("reminder %s failed (attempt %d%s): %s", delivery.pk, attempts,
                           ", will retry" if retry else "", exc)
            return
        _mark_sent(delivery.pk, attempts)
        result.sent.append(delivery.pk)


def deliveries_requeue_stale(*, now: dt.datetime | None = None) -> list[int]:
    """The sweep (every 10 minutes): queue again the emails whose task was lost — still
    pending REMINDERS_REQUEUE_AFTER_MINUTES after they were queued (the broker was down at
    commit, or lost the message), or failed with a retry that is that late. Queuing a row
    twice is harmless (deliveries_send skips what is sent or locked)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.REMINDERS_REQUEUE_AFTER_MINUTES)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(channel=Channel.EMAIL)
            .filter(
                Q(state=DeliveryState.PENDING) & (Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True))
                | Q(state=DeliveryState.FAILED, next_attempt_at__lt=cutoff)
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
            _enqueue(ids)
    if ids:
        logger.warning("reminders sweep: queued %d stale emails again", len(ids))
    return ids


def deliveries_resend(*, deliveries) -> tuple[list[int], int]:
    """The admin's "resend": failed and stuck (pending) emails go back to pending with a
    fresh count of attempts and are queued when the transaction commits. Sent, skipped and
    in-app rows are left alone: nothing is ever sent twice on purpose. Returns the ids
    queued and how many rows were left alone."""
    now = timezone.now()
    with transaction.atomic():
        selected = list(deliveries.values_list("pk", flat=True))
        ids = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=selected, channel=Channel.EMAIL, state__in=SENDABLE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=None, enqueued_at=now
        )
        _enqueue(ids)
    return ids, len(selected) - len(ids)


# --- The notification centre ---------------------------------------------------------------


def unread_refresh(users) -> int:
    """Recount the unread notifications of `users` (a queryset, a list of ids or of users)
    onto User.unread_notifications, in one set-based UPDATE: the header shows that copy."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .selectors import unread_queryset

    User = get_user_model()
    count = (
        unread_queryset().filter(recipient_id=OuterRef("pk")).order_by().values("recipient_id")
        .annotate(n=Count("pk")).values("n")
    )
    if not isinstance(users, QuerySet):
        users = [getattr(u, "pk", u) for u in users]
    return User.objects.filter(pk__in=users).update(
        unread_notifications=Coalesce(Subquery(count, output_field=IntegerField()), 0)
    )


def notification_mark_read(*, delivery: Delivery) -> Delivery:
    """Mark one in-app notification read (the first time counts)."""
    if delivery.read_at is None:
        delivery.read_at = timezone.now()
        Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=delivery.read_at)
        unread_refresh([delivery.recipient_id])
    return delivery


def notifications_mark_all_read(*, user) -> int:
    n = Delivery.objects.filter(
        recipient=user, channel=Channel.INAPP, state=DeliveryState.SENT, read_at__isnull=True
    ).update(read_at=timezone.now())
    unread_refresh([user.pk])
    return n


@transaction.atomic
def preference_update(*, user, data: dict) -> NotificationPreference:
    """Save what the user chose to receive. Escalations are not a choice."""
    fields = {"email_enabled", "inapp_enabled", "due_soon", "overdue", "weekly_digest"}
    unknown = set(data) - fields
    if unknown:
        raise ValueError(f"Unknown preference fields: {sorted(unknown)}")
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    for name, value in data.items():
        setattr(preference, name, bool(value))
    preference.full_clean()
    preference.save()
    return preference
