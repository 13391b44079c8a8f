"""The sender of a petition is confidential (issue 14, acceptance): a named petition goes
through its whole flow — registered with a letter, assigned, reminded before and after
its due date (emails and notifications), classified, verified, concluded — and then every
page, export and JSON response of the project is fetched as a provincial viewer (who reads
the whole tree but handles no petition) and as the concerned unit's secretary; every
email, every history table and every other table of the database, and the log output of
the whole flow at DEBUG, are searched: the sender's name, telephone and address appear
nowhere except on the case page of its handlers. The database column holds ciphertext.
The generated sweep also answers 404 to the unit's secretary on every case URL."""

import datetime as dt
import io
import logging
import zipfile

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.services import api_token_create
from petitions import services
from petitions.models import PetitionSender, PetitionStatus
from reminders import services as reminder_services
from reminders.models import Kind
from tests.access import sweep
from tests.factories import ViewerFactory

from .conftest import SENDER, SENDER_ADDRESS, SENDER_NAME, SENDER_PHONE

pytestmark = pytest.mark.django_db

SECRETS = (SENDER_NAME, SENDER_PHONE, SENDER_ADDRESS, "Tốcáo Bímật", "0912345678")


def _text(response) -> str:
    """Everything a response carries, the members of a .docx/.xlsx archive unzipped."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return raw.decode("utf-8", "replace") + "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def flow(caplog, django_capture_on_commit_callbacks):
    """The world of the authorization sweep, and B's named petition taken through its flow."""
    caplog.set_level(logging.DEBUG)
    w = sweep.build_world()
    today = dt.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.petition_register(
            user=w.handler_b, unit=w.unit_b, received_on=today - dt.timedelta(days=3), channel="post",
            kind="denunciation", summary="Phản ánh về nhân sự", anonymous=False, sender=SENDER,
            nominee=w.nominee_b, handler=w.handler_b,
            files=[SimpleUploadedFile("don-to-cao.pdf", b"%PDF-1.4 the letter")])
    # Due in 4 days: a scan 3 days before it (due soon) and the day after it (overdue); the
    # emails are sent when each scan commits.
    for day in (case.due_on - dt.timedelta(days=3), case.due_on + dt.timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):
            reminder_services.reminders_scan(kind=Kind.DAILY, day=day)
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_extend(petition=case, user=w.handler_b, days=5, reason="Cần thêm thời gian")
        case = services.petition_classify(petition=case, user=w.handler_b, decision=PetitionStatus.ACCEPTED)
        case = services.petition_verify(petition=case, user=w.handler_b)
    w.petition_b, w.petition_attachment_b = case, case.attachments.get()
    return w, case


def test_the_sender_appears_only_on_the_handlers_case_page(flow, client_for, caplog):
    w, case = flow
    province_viewer = ViewerFactory(username="province_viewer", unit=w.province)
    _token, key = api_token_create(user=w.secretary_b, name="secretary's script")
    clients = {"viewer of the province": client_for(province_viewer), "secretary of the unit": client_for(w.secretary_b),
               "secretary's token": client_for(None)}
    clients["secretary's token"].defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    # The control: the search finds the sender where it is shown, on the handler's page.
    handler_page = client_for(w.handler_b).get(case.get_absolute_url()).content.decode()
    assert SENDER_NAME in handler_page and SENDER_PHONE in handler_page

    fetched, leaks = 0, []
    for pattern in sweep.patterns():
        if pattern.name in sweep.PUBLIC:
            continue
        filled = sweep.fill(pattern, w)
        if isinstance(filled, str):
            continue
        for who, client in clients.items():
            response = client.get(filled.url)
            fetched += 1
            if pattern.name.startswith("petitions:case_") or pattern.name == "petitions:attachment_download":
                # A token opens no page: the login redirect; a session answers 404.
                wanted = (302, 401, 404) if who == "secretary's token" else (404,)
                assert response.status_code in wanted, (who, filled.url, response.status_code)
            if found := _leaks(_text(response)):
                leaks.append((who, filled.url, found))
    assert fetched > 600 and not leaks, leaks

    # The exports and the JSON of the concerned unit, read in full by the province's viewer
    # (the sweep above fetched them too; here each one is asserted to carry data).
    viewer = clients["viewer of the province"]
    for name in ("dashboards:unit_dashboard_json", "dashboards:unit_dashboard_csv", "dashboards:unit_dashboard_xlsx",
                 "dashboards:unit_briefing_docx", "dashboards:unit_units_csv", "dashboards:unit_units_xlsx",
                 "petitions:unit_counts_json", "personnel:unit_counts_csv"):
        response = viewer.get(reverse(name, args=[w.province.pk]))
        assert response.status_code == 200, name
        assert not _leaks(_text(response)), name
    counts = viewer.get(reverse("petitions:unit_counts_json", args=[w.province.pk])).json()["petitions"]
    assert counts == {"open": 2, "overdue": 0, "personnel": 1}

    # Every email the flow sent (the handler's reminders), every in-app line.
    assert mail.outbox, "the flow sends the handler reminders"
    for message in mail.outbox:
        bodies = [message.subject, message.body, *[a[0] for a in getattr(message, "alternatives", [])]]
        assert not _leaks("\n".join(bodies)), message.subject
    assert any(f"/petitions/cases/{case.pk}/" in m.body for m in mail.outbox)

    # Every table, history tables included, holds no plain sender: the sender table holds
    # ciphertext, which decrypts to the sender.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            assert not _leaks(repr(cursor.fetchall())), table
        cursor.execute(f"SELECT full_name, contact, address FROM {PetitionSender._meta.db_table}"
                       " WHERE petition_id = %s", [case.pk])
        name_token, contact_token, address_token = cursor.fetchone()
    assert name_token.startswith("gAAAA") and contact_token.startswith("gAAAA") and address_token.startswith("gAAAA")
    assert PetitionSender.objects.get(pk=case.pk).full_name == SENDER_NAME
    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert not any(m._meta.model_name == "historicalpetitionsender" for m in history_models)
    for model in history_models:
        assert not _leaks(repr(list(model.objects.values()))), model

    # The log output of the whole flow, at DEBUG, and the reprs a log line could carry.
    assert "petition" in caplog.text and not _leaks(caplog.text)
    sender = PetitionSender.objects.get(pk=case.pk)
    assert not _leaks(repr(sender) + str(sender) + repr(case) + str(case))


def test_the_units_secretary_and_viewers_get_404_on_every_case_url(flow, client_for):
    w, case = flow
    names = [p for p in sweep.patterns() if p.name.startswith("petitions:") and "<" in p.route]
    assert len(names) >= 10
    for user in (w.secretary_b, ViewerFactory(username="province_viewer", unit=w.province), w.secretary_a):
        client = client_for(user)
        for pattern in names:
            filled = sweep.fill(pattern, w)
            if pattern.name == "petitions:unit_counts_json":
                continue  # counts of a unit the user reads: tested in test_views
            for method in (client.get, client.post):
                assert method(filled.url).status_code == 404, (user.username, filled.url)
    # The queue and the register form do not exist for them either.
    for url in (reverse("petitions:case_list"), reverse("petitions:case_register")):
        assert client_for(w.secretary_b).get(url).status_code == 404
