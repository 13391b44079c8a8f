"""Seed 001: the political report sent to 100% of the bloc's grassroots units for comments;
the ledger, the dashboard's "answered: 58/60", reminders to the two late ones."""

import datetime as dt

import time_machine
from django.urls import reverse

from documents import services
from documents.models import CommentRecipient, DocumentKind
from reminders.models import DeliveryItem, Kind, Reason
from reminders.services import reminders_scan
from tests.documents.conftest import HCM, docx_file
from tests.factories import CongressFactory


def _round(bloc):
    document = services.document_create(congress=bloc.congress, kind=DocumentKind.POLITICAL_REPORT, user=bloc.secretary)
    version = services.version_upload(document=document, upload=docx_file("bctc.docx", ["Dự thảo lần 1"]),
                                      user=bloc.secretary)
    return services.round_send(version=version, deadline=dt.date(2025, 4, 20), subordinates=True,
                               user=bloc.secretary)


def test_round_to_all_subordinates_ledger_dashboard_and_reminders(bloc, client_for):
    round_ = _round(bloc)
    assert round_.recipients.count() == 60
    for secretary, unit in zip(bloc.secretaries[:58], bloc.units[:58], strict=True):
        request = CommentRecipient.objects.get(round=round_, unit=unit)
        services.request_answer(request=request, user=secretary, text="Đồng ý với dự thảo")
    late_units = {u.pk for u in bloc.units[58:]}

    client = client_for(bloc.secretary)
    page = client.get(reverse("documents:round_detail", args=[round_.pk]))
    assert page.status_code == 200
    ledger = page.context["ledger"]
    assert len(ledger) == 60 and page.context["answered"] == 58
    assert "answered: 58/60" in page.content.decode()

    # The province's dashboard and JSON (the bloc's requests are counted below it).
    province_json = client_for(bloc.secretary).get(reverse("dashboards:unit_dashboard_json", args=[bloc.unit.parent_id]))
    assert province_json.status_code == 404  # out of the bloc secretary's scope
    bloc_json = client.get(reverse("dashboards:unit_dashboard_json", args=[bloc.unit.pk])).json()
    assert bloc_json["documents"]["comment_requests"] == {"requests": 60, "answered": 58}
    assert bloc_json["documents"]["own"][0]["comments_answered"] == 58
    assert bloc_json["documents"]["own"][0]["comments_requested"] == 60
    dashboard = client.get(reverse("dashboards:unit_dashboard", args=[bloc.unit.pk])).content.decode()
    assert "answered: 58/60" in dashboard

    # The day after the deadline: the two late ones are first in the ledger and reminded.
    with time_machine.travel(dt.datetime(2025, 4, 21, 6, 30, tzinfo=HCM), tick=False):
        page = client.get(reverse("documents:round_detail", args=[round_.pk]))
        first_two = page.context["ledger"][:2]
        assert {r.unit_id for r in first_two} == late_units and all(r.late for r in first_two)
        assert not any(r.late for r in page.context["ledger"][2:])
        reminders_scan(kind=Kind.DAILY)
        reminders_scan(kind=Kind.DAILY)  # twice: still one message per recipient per day
    items = DeliveryItem.objects.filter(reason=Reason.COMMENT_REQUEST)
    reminded = {(i.delivery.recipient.username, i.delivery.channel) for i in items}
    assert reminded == {(u, ch) for u in ("sec59", "sec60") for ch in ("email", "inapp")}
    assert items.count() == 4


def test_reminder_before_the_deadline_and_not_after_an_answer(bloc):
    round_ = _round(bloc)
    request = CommentRecipient.objects.get(round=round_, unit=bloc.units[0])
    services.request_answer(request=request, user=bloc.secretaries[0], no_comment=True)
    with time_machine.travel(dt.datetime(2025, 4, 17, 6, 30, tzinfo=HCM), tick=False):  # 3 days before
        reminders_scan(kind=Kind.DAILY)
    recipients = set(DeliveryItem.objects.filter(reason=Reason.COMMENT_REQUEST)
                     .values_list("delivery__recipient__username", flat=True))
    assert len(recipients) == 59 and "sec01" not in recipients


def test_subordinate_secretary_answers_from_my_unit_and_other_units_cannot(bloc, client_for):
    round_ = _round(bloc)
    request = CommentRecipient.objects.get(round=round_, unit=bloc.units[0])
    CongressFactory(unit=bloc.units[0], planned_date=dt.date(2025, 6, 1))
    client = client_for(bloc.secretaries[0])
    my_unit = client.get(reverse("congresses:my_unit")).content.decode()
    assert reverse("documents:request_answer", args=[request.pk]) in my_unit
    # The version sent to the unit can be read, though the bloc is outside its scope.
    assert client.get(reverse("documents:version_download", args=[round_.version_id])).status_code == 200
    other = client_for(bloc.secretaries[1])
    assert other.post(reverse("documents:request_answer", args=[request.pk]), {"text": "x"}).status_code == 404
    response = client.post(reverse("documents:request_answer", args=[request.pk]), {"text": "Góp ý mục 2"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_at is not None and request.answered_by == bloc.secretaries[0]


def test_public_comments_and_synthesis_close_the_round(bloc, client_for):
    round_ = _round(bloc)
    client = client_for(bloc.secretary)
    client.post(reverse("documents:round_public", args=[round_.pk]), {"count": "125", "source": "Báo Nhân dân"})
    synthesis = docx_file("tong-hop.docx", ["Tổng hợp ý kiến"])
    response = client.post(reverse("documents:round_close", args=[round_.pk]),
                           {"synthesis_note": "Đã tổng hợp", "synthesis_file": synthesis})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.closed_at is not None and round_.public_comments.get().count == 125
    download = client.get(reverse("documents:round_synthesis", args=[round_.pk]))
    assert download["Content-Disposition"].startswith("attachment")
