from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("units/<int:pk>/dashboard/", views.unit_dashboard_view, name="unit_dashboard"),
    path("units/<int:pk>/dashboard.json", views.unit_dashboard_json, name="unit_dashboard_json"),
    path("units/<int:pk>/briefing/", views.unit_briefing, name="unit_briefing"),
    # The units behind the counts, and the exports (same query string as the list).
    path("units/<int:pk>/units/", views.unit_units, name="unit_units"),
    path("units/<int:pk>/units.csv", views.unit_units_csv, name="unit_units_csv"),
    path("units/<int:pk>/units.xlsx", views.unit_units_xlsx, name="unit_units_xlsx"),
    path("units/<int:pk>/dashboard.csv", views.unit_dashboard_csv, name="unit_dashboard_csv"),
    path("units/<int:pk>/dashboard.xlsx", views.unit_dashboard_xlsx, name="unit_dashboard_xlsx"),
]
