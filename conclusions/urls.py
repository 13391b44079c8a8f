from django.urls import path

from . import views

app_name = "conclusions"

urlpatterns = [
    path("units/<int:unit_pk>/bodies/", views.body_list, name="body_list"),
    path("units/<int:unit_pk>/conclusions/", views.conclusion_list, name="conclusion_list"),
    path("units/<int:unit_pk>/conclusions/new/", views.conclusion_create, name="conclusion_create"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("body-members/<int:pk>/remove/", views.body_member_remove, name="body_member_remove"),
    path("conclusions/<int:pk>/", views.conclusion_detail, name="conclusion_detail"),
    path("conclusions/<int:pk>/correct/", views.conclusion_correct, name="conclusion_correct"),
    path("conclusions/<int:pk>/print/", views.conclusion_print, name="conclusion_print"),
    path("conclusions/<int:pk>/conclusion.docx", views.conclusion_docx, name="conclusion_docx"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("tasks/<int:pk>/carry-over/", views.task_carry_over, name="task_carry_over"),
    path("tasks/<int:pk>/evidence/", views.task_evidence, name="task_evidence"),
    path("task-reports/<int:pk>/evidence/", views.report_evidence, name="report_evidence"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
]
