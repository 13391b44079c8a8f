"""The notification centre: the user's in-app reminders, marking them read, and the
choice of reminders. A notification is its recipient's alone: anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.http import safe_next

from . import selectors, services
from .forms import NotificationPreferenceForm
from .models import Channel, Delivery, DeliveryState

PER_PAGE = 20
LINES_PER_PAGE = 100


def _own_notification(request: HttpRequest, pk: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.filter(recipient=request.user, channel=Channel.INAPP, state=DeliveryState.SENT), pk=pk
    )


def _back(request: HttpRequest, default: str = "reminders:notification_list"):
    return redirect(safe_next(request) or default)


@never_cache
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.groups = selectors.message_groups(notification, notification.first_items)
        notification.more = notification.item_count - len(notification.first_items)
    return render(request, "reminders/notification_list.html", {"page": page, "notifications": page.object_list})


@never_cache
@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every line of one notification (in pages: a weekly digest may list many units).
    Opening it marks it read."""
    notification = _own_notification(request, pk)
    services.notification_mark_read(delivery=notification)
    lines = Paginator(selectors.items_queryset().filter(delivery=notification), LINES_PER_PAGE)
    page = lines.get_page(request.GET.get("page"))
    context = {
        "notification": notification,
        "groups": selectors.message_groups(notification, list(page.object_list)),
        "page": page,
    }
    return render(request, "reminders/notification_detail.html", context)


@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _own_notification(request, pk)  # someone else's is 404 whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.notification_mark_read(delivery=notification)
    return _back(request)


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return _back(request)


@never_cache
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_for(request.user)
    form = NotificationPreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference, user=request.user,
        days_before=services.policy_get(create=False).days_before,
    )
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your choice of reminders is saved."))
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {"form": form}, status=400 if form.errors else 200)
