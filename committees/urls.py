from django.urls import include, path

from . import views

app_name = "committees"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    # Importing units: admins only.
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/import/<int:pk>/", include([
        path("", views.unit_import_job, name="unit_import_job"),
        path("status.json", views.unit_import_job_status, name="unit_import_job_status"),
        path("apply/", views.unit_import_apply, name="unit_import_apply"),
    ])),
]
