"""The quarterly report's states, the superior's answers, and the pages' scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from briefings import services
from briefings.models import ProposalStatus, QuarterlyReport, ReportStatus, Theme
from briefings.quarters import Quarter

from .conftest import at, tick

pytestmark = pytest.mark.usefixtures("english")

Q2 = Quarter(2025, 2)


def _filed(secretary, unit, *, proposals=1):
    report = services.report_open(unit=unit, quarter=Q2, user=secretary)
    services.difficulty_add(report=report, user=secretary, theme=Theme.FACILITIES, text="Thiếu kinh phí")
    for i in range(proposals):
        services.proposal_add(report=report, user=secretary, theme=Theme.PERSONNEL, text=f"Kiến nghị {i}")
    return report


def test_open_is_once_per_quarter_and_refuses_a_root_or_a_future_quarter(world, secretary_a, superior):
    report = services.report_open(unit=world.commune_a, quarter=Q2, user=secretary_a)
    assert services.report_open(unit=world.commune_a, quarter=Q2, user=secretary_a) == report
    with pytest.raises(ValidationError, match="without a superior"):
        services.report_open(unit=world.province, quarter=Q2, user=superior)
    with pytest.raises(ValidationError, match="not begun"):
        services.report_open(unit=world.commune_a, quarter=Q2.next, user=secretary_a)


def test_submitted_report_is_locked_and_keeps_its_progress(world, secretary_a, secretary_cell, congress_cell):
    tick(congress_cell, 2, user=secretary_cell, on=dt.date(2025, 6, 1))
    report = _filed(secretary_a, world.commune_a)
    report = services.report_submit(report=report, user=secretary_a)
    assert report.status == ReportStatus.SUBMITTED and report.progress["subtree"]["steps_done"] == 2
    with pytest.raises(ValidationError, match="submitted"):
        services.proposal_add(report=report, user=secretary_a, theme=Theme.OTHER, text="late")
    with pytest.raises(ValidationError, match="submitted"):
        services.difficulty_remove(difficulty=report.difficulties.get(), user=secretary_a)
    with pytest.raises(ValidationError, match="submitted"):
        services.report_submit(report=report, user=secretary_a)
    # Progress after submission does not change what the report says.
    tick(congress_cell, 1, user=secretary_cell, on=dt.date(2025, 6, 5))
    report.refresh_from_db()
    assert report.progress["subtree"]["steps_done"] == 2


def test_answers_need_their_reason_or_recipient(world, secretary_a, superior):
    report = _filed(secretary_a, world.commune_a, proposals=3)
    first, second, third = report.proposals.order_by("pk")
    with pytest.raises(ValidationError, match="submitted"):
        services.proposal_answer(proposal=first, user=superior, status=ProposalStatus.ANSWERED, answer="ok")
    services.report_submit(report=report, user=secretary_a)
    with pytest.raises(ValidationError) as exc:
        services.proposal_answer(proposal=first, user=superior, status=ProposalStatus.REJECTED)
    assert "reason" in str(exc.value.message_dict["answer"])
    with pytest.raises(ValidationError) as exc:
        services.proposal_answer(proposal=second, user=superior, status=ProposalStatus.FORWARDED)
    assert "forwarded_to" in exc.value.message_dict
    services.proposal_answer(proposal=first, user=superior, status=ProposalStatus.REJECTED, answer="Không đúng thẩm quyền")
    services.proposal_answer(proposal=second, user=superior, status=ProposalStatus.FORWARDED,
                             forwarded_to="Ban Tổ chức Tỉnh ủy")
    first.refresh_from_db()
    assert first.status == ProposalStatus.REJECTED and first.answered_by == superior
    # Reopened: the answered proposal stays; the open one may go.
    services.report_reopen(report=report, user=superior, reason="Bổ sung số liệu")
    with pytest.raises(ValidationError, match="answered"):
        services.proposal_remove(proposal=first, user=secretary_a)
    services.proposal_remove(proposal=third, user=secretary_a)
    assert report.proposals.count() == 2


def test_secretary_files_superior_answers_and_the_unit_sees_it(world, secretary_a, superior, client_for):
    sec = client_for(secretary_a)
    page = sec.post(reverse("briefings:unit_reports", args=[world.commune_a.pk]), {"quarter": "2025-Q2"})
    report = QuarterlyReport.objects.get(unit=world.commune_a)
    assert page.status_code == 302 and page.url == report.get_absolute_url()
    # A form error keeps what was typed.
    bad = sec.post(reverse("briefings:proposal_add", args=[report.pk]), {"p-theme": "", "p-text": "Giữ lại chữ này"})
    assert bad.status_code == 400 and "Giữ lại chữ này" in bad.content.decode()
    sec.post(reverse("briefings:proposal_add", args=[report.pk]), {"p-theme": "personnel", "p-text": "Xin bổ sung cán bộ"})
    sec.post(reverse("briefings:difficulty_add", args=[report.pk]), {"d-theme": "facilities", "d-text": "Hội trường chật"})
    sec.post(reverse("briefings:report_submit", args=[report.pk]))
    proposal = report.proposals.get()

    # Neither the unit itself nor its sibling answers; the superior does.
    assert sec.get(reverse("briefings:proposal_answer", args=[proposal.pk])).status_code == 404
    boss = client_for(superior)
    inbox = boss.get(reverse("briefings:inbox")).content.decode()
    assert "Đảng bộ xã An Phú" in inbox and "1/2 submitted" in inbox
    listed = boss.get(reverse("briefings:open_proposals")).content.decode()
    assert "Xin bổ sung cán bộ" in listed
    answered = boss.post(reverse("briefings:proposal_answer", args=[proposal.pk]),
                         {"status": "rejected", "answer": ""})
    assert answered.status_code == 400 and "reason" in answered.content.decode()
    # The page's `next` is kept for a page of the portal only, never another site.
    url = reverse("briefings:proposal_answer", args=[proposal.pk])
    assert 'value="https://evil.example/"' not in boss.get(url, {"next": "https://evil.example/"}).content.decode()
    done = boss.post(url, {"status": "answered", "answer": "Đồng ý, Ban Tổ chức bố trí", "next": "https://evil.example/"})
    assert done.status_code == 302 and done.url == reverse("briefings:open_proposals")
    assert "No proposal is waiting" in boss.get(reverse("briefings:open_proposals")).content.decode()
    mine = sec.get(report.get_absolute_url()).content.decode()
    assert "Đồng ý, Ban Tổ chức bố trí" in mine and "Submit to the superior unit" not in mine


def test_sibling_secretary_gets_404_everywhere(world, secretary_a, secretary_b, client_for):
    report = _filed(secretary_a, world.commune_a)
    services.report_submit(report=report, user=secretary_a)
    proposal = report.proposals.get()
    other = client_for(secretary_b)
    for url in (report.get_absolute_url(), reverse("briefings:proposal_answer", args=[proposal.pk]),
                reverse("briefings:report_reopen", args=[report.pk]),
                reverse("briefings:unit_reports", args=[world.commune_a.pk]),
                reverse("briefings:pack", args=[world.commune_a.pk]),
                reverse("briefings:unit_proposals_json", args=[world.commune_a.pk])):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("briefings:proposal_remove", args=[proposal.pk])).status_code == 404
    assert "Kiến nghị" not in other.get(reverse("briefings:open_proposals")).content.decode()


def test_open_proposals_oldest_first_and_json(world, secretary_a, secretary_b, superior, client_for):
    with at(dt.date(2025, 5, 2)):
        services.report_submit(report=_filed(secretary_b, world.commune_b), user=secretary_b)
    services.report_submit(report=_filed(secretary_a, world.commune_a), user=secretary_a)
    page = client_for(superior).get(reverse("briefings:open_proposals"))
    rows = list(page.context["page"])
    assert [p.report.unit for p in rows] == [world.commune_b, world.commune_a]
    assert rows[0].age == 34 and rows[1].age == 0
    data = client_for(superior).get(reverse("briefings:unit_proposals_json", args=[world.province.pk])).json()
    assert [p["age_days"] for p in data["proposals"]] == [34, 0]
    reports = client_for(superior).get(reverse("briefings:unit_reports_json", args=[world.province.pk]),
                                       {"quarter": "2025-Q2"}).json()
    assert {r["unit"]["name"] for r in reports["reports"]} == {"Đảng bộ xã An Phú", "Đảng bộ xã Bình Minh"}
