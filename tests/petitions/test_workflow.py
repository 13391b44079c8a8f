"""The workflow of a case (issue 14, point 4), its deadlines and their extension (point 3),
and who may work it (point 2)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.access import scope_for
from petitions import services
from petitions.models import DeadlineRule, PetitionStatus, PetitionStep, StepAction
from tests.factories import PetitionFactory

from .conftest import SENDER

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 3)


@time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
def test_a_case_goes_from_received_to_closed_each_step_recorded(commune_a, handler):
    case = PetitionFactory(unit=commune_a, user=handler, kind="denunciation", received_on=DAY, sender=SENDER)
    # Luật Tố cáo: accept within 7 days.
    assert case.status == PetitionStatus.RECEIVED and case.due_on == DAY + dt.timedelta(days=7)

    case = services.petition_classify(petition=case, user=handler, decision=PetitionStatus.ACCEPTED)
    assert case.due_on == DAY + dt.timedelta(days=30)  # resolved within 30 days of acceptance
    case = services.petition_verify(petition=case, user=handler, note="Tổ xác minh")
    case = services.petition_conclude(petition=case, user=handler, conclusion="Tố cáo sai",
                                      conclusion_file=SimpleUploadedFile("kl.pdf", b"%PDF-1.4 conclusion"))
    assert not case.is_open and case.concluded_on == DAY
    case = services.petition_close(petition=case, user=handler)
    assert case.status == PetitionStatus.CLOSED and case.closed_on == DAY

    steps = list(PetitionStep.objects.filter(petition=case).values_list("action", "from_status", "to_status", "actor"))
    assert steps == [
        (StepAction.REGISTER, "", "received", handler.pk), (StepAction.ACCEPT, "received", "accepted", handler.pk),
        (StepAction.VERIFY, "accepted", "verifying", handler.pk),
        (StepAction.CONCLUDE, "verifying", "concluded", handler.pk),
        (StepAction.CLOSE, "concluded", "closed", handler.pk),
    ]


def test_invalid_transitions_are_refused_with_a_clear_error(commune_a, handler, english):
    case = PetitionFactory(unit=commune_a, user=handler)
    with pytest.raises(ValidationError, match="“Received” cannot become “Concluded”"):
        services.petition_conclude(petition=case, user=handler, conclusion="x")
    with pytest.raises(ValidationError, match="cannot become “Verifying”"):
        services.petition_verify(petition=case, user=handler)
    services.petition_classify(petition=case, user=handler, decision=PetitionStatus.FILED)
    with pytest.raises(ValidationError, match="“Kept for reference” cannot become “Accepted for handling”"):
        services.petition_classify(petition=case, user=handler, decision=PetitionStatus.ACCEPTED)
    with pytest.raises(ValidationError):
        services.petition_extend(petition=case, user=handler, days=5, reason="x")


def test_a_transfer_names_its_recipient(commune_a, handler):
    case = PetitionFactory(unit=commune_a, user=handler)
    with pytest.raises(ValidationError) as exc:
        services.petition_classify(petition=case, user=handler, decision=PetitionStatus.TRANSFERRED)
    assert "transferred_to" in exc.value.message_dict
    case = services.petition_classify(petition=case, user=handler, decision=PetitionStatus.TRANSFERRED,
                                      transferred_to="Thanh tra tỉnh")
    assert case.status == PetitionStatus.TRANSFERRED and not case.is_open
    assert case.steps.last().note == "Thanh tra tỉnh"


def test_only_handlers_of_the_unit_and_admins_work_a_case(commune_a, commune_b, handler_b, secretary_a, admin_user):
    with pytest.raises(PermissionDenied):
        PetitionFactory(unit=commune_a, user=handler_b)
    with pytest.raises(PermissionDenied):
        PetitionFactory(unit=commune_a, user=secretary_a)
    case = PetitionFactory(unit=commune_a, user=admin_user)
    with pytest.raises(PermissionDenied):
        services.petition_classify(petition=case, user=handler_b, decision=PetitionStatus.ACCEPTED)
    assert scope_for(handler_b).can_handle_petition(commune_b)
    assert not scope_for(handler_b).can_handle_petition(commune_a)


def test_a_case_is_assigned_only_to_a_handler_of_its_unit(commune_a, cell_a1, handler, handler_b, admin_user):
    case = PetitionFactory(unit=cell_a1, user=admin_user)
    assert [u.pk for u in services.handler_choices(cell_a1)] == [handler.pk]
    with pytest.raises(ValidationError):
        services.petition_assign(petition=case, handler=handler_b, user=admin_user)
    case = services.petition_assign(petition=case, handler=handler, user=admin_user)
    assert case.handler == handler and case.steps.last().action == StepAction.ASSIGN


def test_a_named_petition_needs_a_sender_and_an_anonymous_one_has_none(commune_a, handler):
    with pytest.raises(ValidationError) as exc:
        services.petition_register(user=handler, unit=commune_a, received_on=dt.date(2025, 1, 1), channel="post",
                                   kind="complaint", summary="x", anonymous=False, sender={})
    assert "sender_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.petition_register(user=handler, unit=commune_a, received_on=dt.date(2025, 1, 1), channel="post",
                                   kind="complaint", summary="x", anonymous=True, sender=SENDER)
    assert "anonymous" in exc.value.message_dict


def test_attachments_are_checked_by_content(commune_a, handler):
    with pytest.raises(ValidationError) as exc:
        PetitionFactory(unit=commune_a, user=handler,
                        files=[SimpleUploadedFile("don.pdf", b"<html><script>alert(1)</script>")])
    assert "attachments" in exc.value.message_dict
    case = PetitionFactory(unit=commune_a, user=handler, files=[SimpleUploadedFile("don.pdf", b"%PDF-1.4 letter")])
    attachment = case.attachments.get()
    assert attachment.name == "don.pdf" and "don" not in attachment.file.name


@time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
def test_deadlines_follow_the_admins_rule_and_extensions_are_recorded(commune_a, handler, admin_user):
    services.deadline_rules_update(user=admin_user, rows={"complaint": (5, 20)})
    assert DeadlineRule.objects.get(kind="complaint").days_to_resolve == 20
    with pytest.raises(PermissionDenied):
        services.deadline_rules_update(user=handler, rows={"complaint": (1, 1)})
    case = PetitionFactory(unit=commune_a, user=handler, kind="complaint", received_on=DAY - dt.timedelta(days=2))
    assert case.due_on == dt.date(2025, 3, 6) and case.days_left(DAY) == 3
    case = services.petition_classify(petition=case, user=handler, decision=PetitionStatus.ACCEPTED)
    assert case.due_on == dt.date(2025, 3, 23)

    with pytest.raises(ValidationError) as exc:
        services.petition_extend(petition=case, user=handler, days=10, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.petition_extend(petition=case, user=handler, days=61, reason="too long")
    extension = services.petition_extend(petition=case, user=handler, days=15, reason="Vụ việc phức tạp")
    case.refresh_from_db()
    assert (extension.old_due_on, extension.new_due_on) == (dt.date(2025, 3, 23), dt.date(2025, 4, 7))
    assert case.due_on == dt.date(2025, 4, 7) and case.days_left(DAY) == 35
    assert case.steps.last().action == StepAction.EXTEND and case.steps.last().note == "Vụ việc phức tạp"

    with time_machine.travel(dt.datetime(2025, 4, 9, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False):
        assert case.days_left(dt.date(2025, 4, 9)) == -2 and case.is_overdue(dt.date(2025, 4, 9))


def test_a_petition_cannot_be_received_in_the_future(commune_a, handler):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False):
        with pytest.raises(ValidationError) as exc:
            PetitionFactory(unit=commune_a, user=handler, received_on=dt.date(2025, 3, 4))
    assert "received_on" in exc.value.message_dict
