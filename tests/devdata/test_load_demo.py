"""The demo data of `make run`: a whole province, consistent roll-ups, something in every
page (the provincial viewer's notification centre included), a login for every role, and
a second load refused unless --force replaces the first."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Grant, GrantRole, User
from briefings.models import Proposal, ProposalStatus, QuarterlyReport, ReportStatus
from briefings.quarters import Quarter
from committees.models import Unit
from conclusions.models import Body, BodyKind, Conclusion, MeetingKind, TaskStatus
from congresses.models import Congress, Milestone, Subcommittee, SubcommitteeKind
from devdata.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERNAMES
from documents.models import CommentRound, CongressDocument, DocumentKind, DocumentStepDone
from personnel import checks
from personnel.models import PersonnelPlan, PlanStatus
from petitions.models import OPEN_STATUSES, Petition, PetitionStatus
from progress import rollups
from workgroups.models import Assignment, FollowUp, WorkingGroup


def _logged_in(username: str) -> Client:
    """A client signed in through the login page, with the password the command prints."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_load_demo_builds_a_consistent_province_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Unit.objects.count() > 500
    assert Congress.objects.count() == Unit.objects.count()
    assert Milestone.objects.filter(status="done").exists() and Milestone.objects.exclude(status="done").exists()
    assert rollups.differences() == []
    viewer = User.objects.get(username="tinhuy")
    assert viewer.unread_notifications == 1  # the weekly digest of the overdue units in scope
    # The digest reaches the provincial viewer and the working-group member (togiup), whose
    # followed communes have overdue steps too.
    assert User.objects.get(username="togiup").unread_notifications >= 1
    assert "Reminders (weekly): 2 messages" in out.getvalue()

    _check_every_part_and_role(out.getvalue())

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "nothing loaded" in again.getvalue()


def _check_every_part_and_role(printed: str) -> None:
    """Every part of the product has content, and each role a login that shows it (one
    load for both tests: a load takes a while)."""
    today = timezone.localdate()
    root = Unit.objects.get(parent__isnull=True)
    users = {u.username: u for u in User.objects.all()}
    assert sorted(users) == sorted(DEMO_USERNAMES)
    for username in DEMO_USERNAMES:  # every login is in the printed table
        assert re.search(rf"^  {re.escape(username)}\s+{DEMO_PASSWORD}\s", printed, re.M), username
    xa = Grant.objects.get(user=users["bithu.xa"]).unit
    xa2 = Grant.objects.get(user=users["bithu.xa2"]).unit

    # Every demo user signs in with the printed password and has a home page.
    clients = {username: _logged_in(username) for username in DEMO_USERNAMES}
    for username, client in clients.items():
        response = client.get("/", follow=True)
        assert response.status_code == 200, username

    # kiemtra: the province's petition handler, with a queue of cases in every state.
    kiemtra = users["kiemtra"]
    assert Grant.objects.filter(user=kiemtra, role=GrantRole.HANDLES_PETITIONS, unit=root).exists()
    cases = list(Petition.objects.filter(handler=kiemtra))
    assert 3 <= len(cases) <= 5
    assert any(c.is_open and c.nominee is not None and c.nominee.plan.congress.unit == xa for c in cases)
    assert any(c.is_overdue(today) for c in cases)
    assert any(c.status == PetitionStatus.VERIFYING and c.classified_on for c in cases)
    assert any(c.status == PetitionStatus.CLOSED and c.conclusion and c.closed_on for c in cases)
    queue = _page(clients["kiemtra"], reverse("petitions:case_list"))
    for case in cases:
        if case.status in OPEN_STATUSES:
            assert reverse("petitions:case_detail", args=[case.pk]) in queue

    # togiup: a member of the standing committee's working group, following communes.
    group = WorkingGroup.objects.get(unit=root, term__is_current=True)
    members = list(group.members.all())
    assert any(m.user == users["togiup"] for m in members)
    assert sum(1 for m in members if m.user is None) >= 3
    for member in members:
        assert Assignment.objects.active().filter(member=member).count() >= 2, member.full_name
    followed = Unit.objects.filter(grants__user=users["togiup"], grants__role=GrantRole.FOLLOWS)
    assert xa in followed and followed.count() >= 3
    assert FollowUp.objects.filter(member__group=group).count() >= 2
    my_units = _page(clients["togiup"], reverse("workgroups:my_units"))
    for unit in followed:
        assert unit.name in my_units

    # bantochuc: a member of Ban Tổ chức, answering its tasks.
    organisation = Body.objects.get(unit=root, kind=BodyKind.ORGANISATION)
    assert organisation.memberships.filter(user=users["bantochuc"]).exists()
    assert Body.objects.filter(unit=root).count() >= 4
    quarter = Quarter.of(today).previous
    conclusion = Conclusion.objects.get(unit=root, kind=MeetingKind.BRIEFING, year=quarter.year,
                                        quarter=quarter.quarter)
    tasks = list(conclusion.tasks.all())
    assert 4 <= len(tasks) <= 6
    assert any(t.reports.exists() for t in tasks)
    assert any(t.status == TaskStatus.DONE for t in tasks)
    my_tasks = _page(clients["bantochuc"], reverse("conclusions:my_tasks"))
    for task in organisation.tasks.filter(status=TaskStatus.OPEN):
        assert reverse("conclusions:task_detail", args=[task.pk]) in my_tasks

    # The province's congress: its subcommittees and its documents.
    congress = Congress.objects.get(unit=root, term__is_current=True)
    kinds = set(Subcommittee.objects.filter(congress=congress).values_list("kind", flat=True))
    assert {SubcommitteeKind.DOCUMENTS, SubcommitteeKind.ORGANISATION} <= kinds
    assert all(s.members.exists() for s in Subcommittee.objects.filter(congress=congress))
    report = CongressDocument.objects.get(congress=congress, kind=DocumentKind.POLITICAL_REPORT)
    assert report.versions.count() == 2 and all(v.text for v in report.versions.all())
    assert DocumentStepDone.objects.filter(document=report).count() >= 2
    assert CommentRound.objects.filter(document=report).exists()
    assert CongressDocument.objects.filter(congress__unit=xa).exists()
    _page(clients["tinhuy"], reverse("documents:document_detail", args=[report.pk]))

    # bithu.xa's personnel plan, submitted to the province, its composition met.
    plan = PersonnelPlan.objects.get(congress__unit=xa)
    assert plan.status == PlanStatus.SUBMITTED
    assert 9 <= plan.nominees.count() <= 15
    assert plan.composition_met
    assert all(c.ok for c in checks.run(plan))
    _page(clients["bithu.xa"], reverse("personnel:plan_detail", args=[plan.pk]))

    # Last quarter's briefing: reports filed by several communes, some not, an answer.
    reports = QuarterlyReport.objects.of(quarter)
    submitted = reports.filter(status=ReportStatus.SUBMITTED)
    assert submitted.count() >= 3
    assert all(r.difficulties.exists() and r.proposals.exists() for r in submitted)
    assert reports.count() < Unit.objects.filter(parent=root, kind__in=["commune", "ward"]).count()
    assert Proposal.objects.filter(report__in=submitted, status=ProposalStatus.ANSWERED).exists()
    assert Proposal.objects.filter(report__in=submitted, status=ProposalStatus.OPEN).exists()
    assert not reports.get(unit=xa2).is_submitted
    assert reverse("briefings:report_detail", args=[reports.get(unit=xa).pk]) in _page(
        clients["bithu.xa"], reverse("briefings:unit_reports", args=[xa.pk]))
    pack = _page(clients["tinhuy"], reverse("briefings:pack", args=[root.pk]) + f"?quarter={quarter.key}")
    difficulty = submitted.get(unit=xa).difficulties.first()
    assert difficulty.text in pack

    # Everything went through the services: the roll-ups agree with the rows.
    assert rollups.differences() == []


@pytest.mark.django_db
def test_load_demo_force_replaces_an_earlier_demo_load():
    call_command("load_demo", stdout=StringIO())
    counts = {model: model.objects.count() for model in (Unit, Congress, Milestone, User, Petition, Subcommittee,
                                                         WorkingGroup, PersonnelPlan, CongressDocument, Conclusion)}
    history = Milestone.history.count()

    out = StringIO()
    call_command("load_demo", "--force", stdout=out)

    assert "Deleted the earlier demo data." in out.getvalue()
    assert {model: model.objects.count() for model in counts} == counts
    assert Milestone.history.count() == history  # no history of the deleted load is left
    assert rollups.differences() == []
    _logged_in("kiemtra")

    # Anything that is not the demo's: --force refuses, and deletes nothing.
    User.objects.create_user(username="someone", password="x")
    with pytest.raises(CommandError, match="Nothing was deleted"):
        call_command("load_demo", "--force", stdout=StringIO())
    assert Unit.objects.count() == counts[Unit] and Petition.objects.count() == counts[Petition]
