"""Nominee data is confidential (issue 13, point 7): read only by the unit's secretary, the
superior's approvers and admins; 404 for anyone else, viewers of the subtree included;
never in a list, an export, the JSON, an email or a log line; encrypted at rest; and every
read of a plan is logged."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.exceptions import FieldError
from django.db import connection
from django.urls import reverse

from accounts.services import api_token_create
from personnel import services
from personnel.models import Nominee, PlanRead
from tests.factories import NomineeFactory, ViewerFactory
from tests.personnel.conftest import fifteen

NAME = "Hà Thị ZQXUNIQUE"


@pytest.fixture
def plan_with_name(plan_a, secretary_a):
    fifteen(plan_a)
    return NomineeFactory(plan=plan_a, user=secretary_a, full_name=NAME, gender="female",
                          date_of_birth=dt.date(1981, 2, 3), ethnicity="Ba Na", bodies=["executive"]).plan


def _nominee_urls(plan):
    nominee = plan.nominees.first()
    return [reverse("personnel:plan_detail", args=[plan.pk]), reverse("personnel:plan_edit", args=[plan.pk]),
            reverse("personnel:nominee_add", args=[plan.pk]), reverse("personnel:plan_results", args=[plan.pk]),
            reverse("personnel:nominee_edit", args=[nominee.pk])]


def test_secretary_approver_and_admin_read_the_nominees(plan_with_name, client_for, secretary_a,
                                                        province_secretary, admin_user):
    url = reverse("personnel:plan_detail", args=[plan_with_name.pk])
    for user in (secretary_a, province_secretary, admin_user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert NAME in response.content.decode()


def test_viewer_of_the_subtree_and_other_secretaries_get_404(plan_with_name, client_for, viewer, secretary_b,
                                                             secretary_cell):
    for user in (viewer, secretary_b, secretary_cell):
        client = client_for(user)
        for url in _nominee_urls(plan_with_name):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {}).status_code == 404, (user, url)
    assert not PlanRead.objects.exists()


def test_every_read_is_logged_with_who_and_which_plan(plan_with_name, client_for, secretary_a,
                                                      province_secretary, admin_user):
    url = reverse("personnel:plan_detail", args=[plan_with_name.pk])
    client_for(secretary_a).get(url)
    client_for(province_secretary).get(url)
    client_for(secretary_a).get(url)
    reads = list(PlanRead.objects.order_by("pk").values_list("user__username", "plan_id", "page"))
    assert reads == [("secretary_a", plan_with_name.pk, "detail"), ("province_secretary", plan_with_name.pk, "detail"),
                     ("secretary_a", plan_with_name.pk, "detail")]
    # the log is the admins' list
    page = client_for(admin_user).get(reverse("admin:personnel_planread_changelist"))
    assert page.status_code == 200 and str(province_secretary) in page.content.decode()
    assert NAME not in page.content.decode()


def test_names_are_encrypted_at_rest_and_cannot_be_searched(plan_with_name):
    rows = []
    with connection.cursor() as cursor:
        # the table and its audit history
        for table in (Nominee._meta.db_table, Nominee.history.model._meta.db_table):
            cursor.execute(f"SELECT full_name, date_of_birth, ethnicity FROM {table}")
            rows += cursor.fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    assert NAME not in flat and "1981" not in flat and "Ba Na" not in flat
    assert Nominee.objects.filter(full_name__isnull=False).count() == 16
    with pytest.raises(FieldError):
        Nominee.objects.filter(full_name=NAME).count()
    assert any(n.full_name == NAME for n in Nominee.objects.all())


def test_a_name_never_reaches_a_list_an_export_the_json_an_email_or_a_log(
    plan_with_name, client_for, viewer, admin_user, secretary_a, province_secretary, tree, caplog,
):
    caplog.set_level(logging.DEBUG)
    plan = plan_with_name
    services.plan_submit(plan=plan, user=secretary_a)
    services.plan_return(plan=plan, user=province_secretary, comment="xem lại")
    services.plan_submit(plan=plan, user=secretary_a)
    services.plan_approve(plan=plan, user=province_secretary)
    ViewerFactory(username="viewer_a", unit=tree.commune_a)
    _token, key = api_token_create(user=secretary_a, name="script")
    pages = []
    for unit in (tree.province, tree.commune_a):
        for name in ("unit_dashboard", "unit_dashboard_json", "unit_dashboard_csv", "unit_briefing",
                     "unit_units", "unit_units_csv"):
            pages.append(reverse(f"dashboards:{name}", args=[unit.pk]))
        pages.append(reverse("committees:unit_detail", args=[unit.pk]))
    pages += [reverse("congresses:congress_detail", args=[plan.congress.pk]), reverse("committees:unit_list"),
              reverse("personnel:plan_list"), reverse("reminders:notifications") if _has("reminders:notifications") else None]
    for user in (viewer, admin_user, secretary_a, province_secretary):
        client = client_for(user)
        for url in filter(None, pages):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert NAME.encode() not in body, (user, url)
    token_client = client_for(None)
    for url in pages[:2]:
        response = token_client.get(url, headers={"authorization": f"Bearer {key}"})
        assert NAME.encode() not in response.content
    assert all(NAME not in m.body and NAME not in m.subject for m in mail.outbox)
    assert NAME not in caplog.text


def _has(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
