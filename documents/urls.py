from django.urls import include, path

from . import views

app_name = "documents"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("congresses/<int:pk>/documents/", views.congress_documents, name="congress_documents"),
    path("congress-documents/<int:pk>/", include([
        path("", views.document_detail, name="document_detail"),
        path("versions/add/", views.version_add, name="version_add"),
        path("steps/", views.step_update, name="step_update"),
        path("review/submit/", views.review_submit, name="review_submit"),
        path("review/decide/", views.review_decide, name="review_decide"),
    ])),
    path("document-versions/<int:pk>/", include([
        path("file/", views.version_download, name="version_download"),
        path("compare/", views.version_compare, name="version_compare"),
        path("send/", views.round_create, name="round_create"),
    ])),
    path("comment-rounds/<int:pk>/", include([
        path("", views.round_detail, name="round_detail"),
        path("public/", views.round_public, name="round_public"),
        path("close/", views.round_close, name="round_close"),
        path("synthesis/", views.round_synthesis, name="round_synthesis"),
    ])),
    path("comment-requests/<int:pk>/", include([
        path("", views.request_answer, name="request_answer"),
        path("file/", views.request_file, name="request_file"),
    ])),
]
