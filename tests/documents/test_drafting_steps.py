"""Seed 001: "3/6 bước biên tập văn kiện", entered through the pages, on the bloc's
dashboard and in its JSON; the superior's review is the last step."""

import datetime as dt

from django.urls import reverse

from documents import services
from documents.models import CongressDocument, DocumentKind, DraftingStep, ReviewState
from progress import rollups
from tests.documents.conftest import docx_file
from tests.factories import AdminFactory, CongressFactory


def test_three_of_six_steps_entered_through_the_pages_show_on_the_dashboard_and_json(bloc, client_for):
    client = client_for(bloc.secretary)
    response = client.post(reverse("documents:congress_documents", args=[bloc.congress.pk]),
                           {"kind": DocumentKind.POLITICAL_REPORT, "title": ""})
    document = CongressDocument.objects.get(congress=bloc.congress)
    assert response.status_code == 302 and document.title == "Political report"
    steps = list(DraftingStep.objects.filter(term=bloc.congress.term).order_by("order"))
    assert len(steps) == 6
    for step in steps[:3]:
        assert client.post(reverse("documents:step_update", args=[document.pk]),
                           {"step": step.pk, "action": "done"}).status_code == 302
    page = client.get(document.get_absolute_url()).content.decode()
    assert "3/6" in page
    data = client.get(reverse("dashboards:unit_dashboard_json", args=[bloc.unit.pk])).json()
    own = data["documents"]["own"][0]
    assert (own["kind"], own["steps_done"], own["steps_total"]) == ("political_report", 3, 6)
    dashboard = client.get(reverse("dashboards:unit_dashboard", args=[bloc.unit.pk])).content.decode()
    assert "3/6 drafting steps" in dashboard
    # Above the bloc, the province counts it: "political report: 3/6 at 1 unit".
    admin = client_for(AdminFactory())
    province = admin.get(reverse("dashboards:unit_dashboard_json", args=[bloc.unit.parent_id])).json()
    assert province["documents"]["below"]["political_report"]["by_steps_done"] == {"3": 1}
    units = admin.get(reverse("dashboards:unit_units", args=[bloc.unit.parent_id]),
                      {"document": "political_report", "document_steps": "3"})
    assert [row.pk for row in units.context["page"].object_list] == [bloc.unit.pk]
    units = admin.get(reverse("dashboards:unit_units", args=[bloc.unit.parent_id]),
                      {"document": "political_report", "document_steps": "4"})
    assert list(units.context["page"].object_list) == []
    assert rollups.differences() == []


def test_superior_approves_the_final_draft_or_returns_it(bloc, client_for, admin_user):
    child = bloc.units[0]
    congress = CongressFactory(unit=child)
    document = services.document_create(congress=congress, kind=DocumentKind.DRAFT_RESOLUTION, user=None)
    services.version_upload(document=document, upload=docx_file("nq.docx", ["Nghị quyết"]), user=None)
    unit_client = client_for(bloc.secretaries[0])
    assert unit_client.post(reverse("documents:review_submit", args=[document.pk])).status_code == 302
    # The unit cannot decide on its own draft; its superior (the bloc's secretary) can.
    assert unit_client.post(reverse("documents:review_decide", args=[document.pk]),
                            {"decision": "approve"}).status_code == 404
    superior = client_for(bloc.secretary)
    response = superior.post(reverse("documents:review_decide", args=[document.pk]), {"decision": "return"})
    assert response.status_code == 400  # returning needs comments
    superior.post(reverse("documents:review_decide", args=[document.pk]),
                  {"decision": "return", "comments": "Bổ sung phần nhiệm vụ"})
    document.refresh_from_db()
    assert document.review_state == ReviewState.RETURNED
    unit_client.post(reverse("documents:review_submit", args=[document.pk]))
    superior.post(reverse("documents:review_decide", args=[document.pk]), {"decision": "approve"})
    document.refresh_from_db()
    assert document.review_state == ReviewState.APPROVED
    assert document.steps_done.get().step.code == "final_draft"
    assert rollups.differences() == []


def test_dashboard_workbook_lists_the_documents(english, bloc, client_for):
    import io

    from openpyxl import load_workbook

    document = services.document_create(congress=bloc.congress, kind=DocumentKind.POLITICAL_REPORT,
                                        user=bloc.secretary)
    for step in DraftingStep.objects.filter(term=bloc.congress.term).order_by("order")[:3]:
        services.step_complete(document=document, step=step, done_on=dt.date(2025, 4, 1), user=bloc.secretary)
    response = client_for(bloc.secretary).get(reverse("dashboards:unit_dashboard_xlsx", args=[bloc.unit.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Summary"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Political report: drafting steps done", 3, 6] in [r[:3] for r in rows]
