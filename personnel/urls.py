from django.urls import include, path

from . import views

app_name = "personnel"

urlpatterns = [
    path("personnel/plans/", views.plan_list, name="plan_list"),
    path("personnel/units/<int:pk>/counts.csv", views.unit_counts_csv, name="unit_counts_csv"),
    path("personnel/congresses/<int:pk>/", views.plan_open, name="plan_open"),
    path("personnel/plans/<int:pk>/", include([
        path("", views.plan_detail, name="plan_detail"),
        path("edit/", views.plan_edit, name="plan_edit"),
        path("nominees/add/", views.nominee_add, name="nominee_add"),
        path("acknowledge/", views.check_acknowledge, name="check_acknowledge"),
        path("submit/", views.plan_submit, name="plan_submit"),
        path("return/", views.plan_return, name="plan_return"),
        path("approve/", views.plan_approve, name="plan_approve"),
        path("revise/", views.plan_revise, name="plan_revise"),
        path("results/", views.plan_results, name="plan_results"),
    ])),
    path("personnel/nominees/<int:pk>/", include([
        path("edit/", views.nominee_edit, name="nominee_edit"),
        path("remove/", views.nominee_remove, name="nominee_remove"),
    ])),
]
