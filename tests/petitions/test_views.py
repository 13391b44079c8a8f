"""The petition pages: the handler's queue (mine, overdue first, filters), the register
form (errors shown, nothing lost), the case page's workflow actions, the deadlines page
for administrators, and the grant in the user admin."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Grant, GrantRole
from petitions.models import DeadlineRule, Petition, PetitionSender, PetitionStatus
from tests.factories import PetitionFactory

from .conftest import SENDER, SENDER_NAME, SENDER_PHONE

pytestmark = pytest.mark.django_db


def test_the_handler_registers_a_named_petition_through_the_form(tree, handler, client_for):
    client = client_for(handler)
    url = reverse("petitions:case_register")
    form = {"received_on": dt.date.today().isoformat(), "channel": "post", "kind": "denunciation",
            "unit": tree.commune_a.pk, "summary": "Đơn tố cáo về nhân sự", "sender_name": SENDER_NAME,
            "sender_contact": SENDER_PHONE, "handler": handler.pk,
            "attachments": [SimpleUploadedFile("don.pdf", b"%PDF-1.4 letter")]}
    # A named petition without a name: refused on the field, what was typed kept.
    response = client.post(url, {**form, "sender_name": ""})
    assert response.status_code == 400
    assert "Enter the sender&#x27;s name" in response.content.decode() and "Đơn tố cáo về nhân sự" in response.content.decode()
    response = client.post(url, {**form, "attachments": [SimpleUploadedFile("don.pdf", b"%PDF-1.4 letter")]})
    case = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.handler == handler and PetitionSender.objects.get(pk=case.pk).contact == SENDER_PHONE
    assert case.attachments.count() == 1
    page = client.get(case.get_absolute_url()).content.decode()
    assert SENDER_NAME in page and "Đơn tố cáo về nhân sự" in page
    download = client.get(reverse("petitions:attachment_download", args=[case.attachments.get().pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_the_case_page_walks_the_workflow_and_refuses_a_wrong_step(tree, handler, client_for, english):
    case = PetitionFactory(unit=tree.commune_a, user=handler, sender=SENDER)
    client = client_for(handler)
    # Concluding a received case is refused with the workflow's message.
    response = client.post(reverse("petitions:case_conclude", args=[case.pk]), {"conclusion": "x"})
    assert response.status_code == 400 and "cannot become" in response.content.decode()
    response = client.post(reverse("petitions:case_classify", args=[case.pk]), {"decision": "transferred"})
    assert response.status_code == 400 and "Name the body" in response.content.decode()
    for name, data in (("case_classify", {"decision": "accepted"}), ("case_verify", {"note": "Tổ xác minh"}),
                       ("case_conclude", {"conclusion": "Đúng một phần",
                                          "conclusion_file": SimpleUploadedFile("kl.pdf", b"%PDF-1.4 c")}),
                       ("case_close", {"note": "Đã trả lời"})):
        response = client.post(reverse(f"petitions:{name}", args=[case.pk]), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    case.refresh_from_db()
    assert case.status == PetitionStatus.CLOSED and case.steps.count() == 5
    assert client.get(reverse("petitions:conclusion_download", args=[case.pk])).status_code == 200
    assert client.get(reverse("petitions:case_verify", args=[case.pk])).status_code == 405


def test_the_queue_puts_open_and_overdue_cases_first_and_filters(tree, handler, client_for):
    today = dt.date.today()
    late = PetitionFactory(unit=tree.commune_a, user=handler, received_on=today - dt.timedelta(days=30))
    fresh = PetitionFactory(unit=tree.commune_b, user=handler, kind="proposal", handler=handler, about_personnel=True)
    done = PetitionFactory(unit=tree.commune_a, user=handler)
    from petitions import services

    services.petition_classify(petition=done, user=handler, decision="filed")
    client = client_for(handler)
    page = client.get(reverse("petitions:case_list")).content.decode()
    order = [page.index(f'data-id="{c.pk}"') for c in (late, fresh, done)]
    assert order == sorted(order)
    assert "days overdue" in page
    mine = client.get(reverse("petitions:case_list") + "?mine=1").content.decode()
    assert f'data-id="{fresh.pk}"' in mine and f'data-id="{late.pk}"' not in mine
    overdue = client.get(reverse("petitions:case_list") + "?overdue=1").content.decode()
    assert f'data-id="{late.pk}"' in overdue and f'data-id="{fresh.pk}"' not in overdue
    personnel = client.get(reverse("petitions:case_list") + "?personnel=1&kind=proposal").content.decode()
    assert f'data-id="{fresh.pk}"' in personnel and f'data-id="{late.pk}"' not in personnel
    by_number = client.get(reverse("petitions:case_list") + f"?q=%23{late.pk}").content.decode()
    assert f'data-id="{late.pk}"' in by_number and f'data-id="{fresh.pk}"' not in by_number
    by_unit = client.get(reverse("petitions:case_list") + "?q=Bình Minh").content.decode()
    assert f'data-id="{fresh.pk}"' in by_unit and f'data-id="{late.pk}"' not in by_unit


def test_a_long_queue_is_paged_and_the_pages_keep_the_filters(tree, handler, client_for, monkeypatch):
    from petitions import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    cases = [PetitionFactory(unit=tree.commune_a, user=handler, kind="proposal") for _ in range(5)]
    PetitionFactory(unit=tree.commune_a, user=handler, kind="complaint")
    client = client_for(handler)
    url = reverse("petitions:case_list") + "?kind=proposal"
    seen = []
    for number in (1, 2, 3):
        page = client.get(url + f"&page={number}").content.decode()
        seen += [c.pk for c in Petition.objects.all() if f'data-id="{c.pk}"' in page]
        assert f"Page {number} of 3" in page
    assert sorted(seen) == sorted(c.pk for c in cases)  # every proposal once, no complaint
    first = client.get(url).content.decode()
    assert "kind=proposal&amp;page=2" in first


def test_a_handler_of_one_unit_sees_only_its_subtree(tree, handler_b, handler, client_for):
    ours = PetitionFactory(unit=tree.commune_b, user=handler_b)
    theirs = PetitionFactory(unit=tree.cell_a1, user=handler)
    client = client_for(handler_b)
    page = client.get(reverse("petitions:case_list")).content.decode()
    assert f'data-id="{ours.pk}"' in page and f'data-id="{theirs.pk}"' not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404
    form = client.get(reverse("petitions:case_register")).content.decode()
    assert tree.commune_b.name in form and tree.cell_a1.name not in form


def test_admins_set_the_deadlines(admin_user, handler, client_for):
    url = reverse("petitions:deadlines")
    assert client_for(handler).get(url).status_code == 404
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    data = {f"{k}_{s}": "12" for k in ("complaint", "denunciation", "proposal", "reflection")
            for s in ("classify", "resolve")}
    assert client.post(url, {**data, "complaint_resolve": "0"}).status_code == 400
    assert client.post(url, data).status_code == 302
    assert DeadlineRule.objects.get(kind="complaint").days_to_resolve == 12
    assert DeadlineRule.history.filter(kind="complaint").exists()


def test_the_user_admin_offers_the_handler_grant(province, client_for):
    from tests.factories import UserFactory

    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    person = UserFactory(username="kiemtra", role=None)
    client = client_for(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    assert 'value="petitions"' in page
    Grant.objects.filter(user=person).delete()
    from accounts.services import grant_add

    grant_add(user=person, role=GrantRole.HANDLES_PETITIONS, unit=province, by=superuser)
    assert client_for(person).get(reverse("petitions:case_list")).status_code == 200


def test_the_register_form_offers_only_the_chosen_units_nominees_and_logs_the_read(
        tree, congress_a, congress_b, secretary_a, secretary_b, handler, handler_b, client_for):
    from personnel.models import PlanRead
    from tests.factories import NomineeFactory, PersonnelPlanFactory

    ours = NomineeFactory(plan=PersonnelPlanFactory(congress=congress_a, user=secretary_a), user=secretary_a,
                          full_name="Đề Cử Xã An")
    theirs = NomineeFactory(plan=PersonnelPlanFactory(congress=congress_b, user=secretary_b), user=secretary_b,
                            full_name="Đề Cử Xã Bình")
    client = client_for(handler)
    blank = client.get(reverse("petitions:case_register")).content.decode()
    assert ours.full_name not in blank and theirs.full_name not in blank  # no unit chosen: no nominee
    assert not PlanRead.objects.exists()
    options = client.get(reverse("petitions:nominee_options", args=[tree.commune_a.pk])).content.decode()
    assert f'value="{ours.pk}"' in options and ours.full_name in options and theirs.full_name not in options
    assert list(PlanRead.objects.values_list("user__username", "plan_id", "page")) == [
        ("handler", ours.plan_id, "petition form")]
    # A form sent back with an error lists the chosen unit's nominees, and refuses another's.
    refused = client.post(reverse("petitions:case_register"), {
        "received_on": dt.date.today().strftime("%d/%m/%Y"), "channel": "post", "kind": "denunciation",
        "unit": tree.commune_a.pk, "nominee": theirs.pk, "summary": "Đơn", "anonymous": "on"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert ours.full_name in page and theirs.full_name not in page
    # The handler of another unit, and a non-handler, get 404.
    assert client_for(handler_b).get(reverse("petitions:nominee_options", args=[tree.commune_a.pk])).status_code == 404
    assert client_for(secretary_a).get(reverse("petitions:nominee_options", args=[tree.commune_a.pk])).status_code == 404


def test_a_handler_of_many_units_searches_for_the_unit(tree, handler, client_for, monkeypatch):
    from petitions.forms import PetitionForm

    client = client_for(handler)
    small = client.get(reverse("petitions:case_register")).content.decode()
    assert '<select name="unit"' in small and "data-unit-picker" not in small
    monkeypatch.setattr(PetitionForm, "SELECT_LIMIT", 2)
    page = client.get(reverse("petitions:case_register")).content.decode()
    assert '<select name="unit"' not in page and 'data-purpose="petitions"' in page
    assert tree.cell_a1.name not in page  # no list of the units
    found = client.get(reverse("workgroups:unit_picker"), {"q": "An Phu", "purpose": "petitions"}).json()["results"]
    assert tree.commune_a.pk in [u["id"] for u in found]
    # The picker's hidden input posts the unit as the list did.
    response = client.post(reverse("petitions:case_register"), {
        "received_on": dt.date.today().strftime("%d/%m/%Y"), "channel": "post", "kind": "complaint",
        "unit": tree.commune_a.pk, "summary": "Đơn qua bộ chọn", "anonymous": "on"})
    assert response.status_code == 302
    assert Petition.objects.get(summary="Đơn qua bộ chọn").unit == tree.commune_a


def test_the_picker_for_petitions_offers_only_the_units_the_user_handles(tree, handler_b, client_for):
    client = client_for(handler_b)
    found = client.get(reverse("workgroups:unit_picker"), {"q": "xa", "purpose": "petitions"}).json()["results"]
    assert [u["id"] for u in found] == [tree.commune_b.pk]
