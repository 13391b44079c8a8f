from django.urls import include, path

from . import views

app_name = "congresses"

urlpatterns = [
    path("my-unit/", views.my_unit, name="my_unit"),
    path("units/<int:unit_pk>/congress/start/", views.congress_start, name="congress_start"),
    path("units/<int:pk>/pilots/", views.unit_pilots, name="unit_pilots"),
    path("congresses/<int:pk>/", include([
        path("", views.congress_detail, name="congress_detail"),
        path("edit/", views.congress_edit, name="congress_edit"),
        path("subcommittees/", views.congress_subcommittees, name="congress_subcommittees"),
    ])),
    path("subcommittees/<int:pk>/", include([
        path("", views.subcommittee_edit, name="subcommittee_edit"),
        path("delete/", views.subcommittee_delete, name="subcommittee_delete"),
    ])),
    path("milestones/<int:pk>/", include([
        path("", views.milestone_update, name="milestone_update"),
        path("evidence/", views.milestone_evidence, name="milestone_evidence"),
    ])),
]
