from django.urls import path

from . import views

app_name = "congresses"

urlpatterns = [
    path("my-unit/", views.my_unit, name="my_unit"),
    path("congresses/<int:pk>/", views.congress_detail, name="congress_detail"),
    path("congresses/<int:pk>/edit/", views.congress_edit, name="congress_edit"),
    path("units/<int:unit_pk>/congress/start/", views.congress_start, name="congress_start"),
    path("milestones/<int:pk>/", views.milestone_update, name="milestone_update"),
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone_evidence"),
]
