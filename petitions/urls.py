from django.urls import include, path

from . import views

app_name = "petitions"

urlpatterns = [
    path("petitions/", views.case_list, name="case_list"),
    path("petitions/register/", views.case_register, name="case_register"),
    path("petitions/deadlines/", views.deadlines, name="deadlines"),
    path("petitions/units/<int:pk>/nominees/", views.nominee_options, name="nominee_options"),
    path("petitions/units/<int:pk>/counts.json", views.unit_counts_json, name="unit_counts_json"),
    path("petitions/cases/<int:pk>/", include([
        path("", views.case_detail, name="case_detail"),
        path("assign/", views.case_assign, name="case_assign"),
        path("classify/", views.case_classify, name="case_classify"),
        path("verify/", views.case_verify, name="case_verify"),
        path("conclude/", views.case_conclude, name="case_conclude"),
        path("close/", views.case_close, name="case_close"),
        path("extend/", views.case_extend, name="case_extend"),
        path("attachments/add/", views.attachment_add, name="attachment_add"),
        path("conclusion/", views.conclusion_download, name="conclusion_download"),
    ])),
    path("petitions/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
