from django.urls import include, path

from . import views

app_name = "workgroups"

urlpatterns = [
    path("my-units/", views.my_units, name="my_units"),
    path("working-groups/", views.group_list, name="group_list"),
    path("working-groups.json", views.groups_json, name="groups_json"),
    path("working-groups/units.json", views.unit_picker, name="unit_picker"),
    path("working-groups/<int:pk>/", include([
        path("", views.group_detail, name="group_detail"),
        path("group.json", views.group_json, name="group_json"),
        path("decision/", views.group_decision, name="group_decision"),
        path("sub-teams/add/", views.sub_team_add, name="sub_team_add"),
        path("members/add/", views.member_add, name="member_add"),
        path("assignments/add/", views.assignment_add, name="assignment_add"),
        path("assignments/import/", views.assignment_import, name="assignment_import"),
        path("dissolve/", views.group_dissolve, name="group_dissolve"),
    ])),
    path("group-members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("assignments/<int:pk>/", include([
        path("end/", views.assignment_end, name="assignment_end"),
        path("move/", views.assignment_move, name="assignment_move"),
    ])),
    path("follow-up-attachments/<int:pk>/", views.follow_up_attachment, name="follow_up_attachment"),
    path("units/<int:unit_pk>/", include([
        path("working-groups/new/", views.group_create, name="group_create"),
        path("coverage/", views.coverage, name="coverage"),
        path("coverage.json", views.coverage_json, name="coverage_json"),
        path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
        path("follow-ups/", views.follow_up_log, name="follow_up_log"),
        path("follow-ups.json", views.follow_ups_json, name="follow_ups_json"),
    ])),
]
