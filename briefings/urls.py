from django.urls import include, path

from . import views

app_name = "briefings"

urlpatterns = [
    path("briefings/", views.my_reports, name="my_reports"),
    path("briefings/inbox/", views.inbox, name="inbox"),
    path("briefings/proposals/", views.open_proposals, name="open_proposals"),
    path("units/<int:pk>/quarterly-reports/", views.unit_reports, name="unit_reports"),
    path("units/<int:pk>/quarterly-reports.json", views.unit_reports_json, name="unit_reports_json"),
    path("units/<int:pk>/proposals.json", views.unit_proposals_json, name="unit_proposals_json"),
    path("units/<int:pk>/briefing-pack/", views.pack_page, name="pack"),
    path("units/<int:pk>/briefing-pack.docx", views.pack_docx, name="pack_docx"),
    path("quarterly-reports/<int:pk>/", include([
        path("", views.report_detail, name="report_detail"),
        path("difficulties/", views.difficulty_add, name="difficulty_add"),
        path("proposals/", views.proposal_add, name="proposal_add"),
        path("submit/", views.report_submit, name="report_submit"),
        path("reopen/", views.report_reopen, name="report_reopen"),
    ])),
    path("difficulties/<int:pk>/remove/", views.difficulty_remove, name="difficulty_remove"),
    path("proposals/<int:pk>/remove/", views.proposal_remove, name="proposal_remove"),
    path("proposals/<int:pk>/answer/", views.proposal_answer, name="proposal_answer"),
]
