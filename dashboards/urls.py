from django.urls import include, path

from . import views

app_name = "dashboards"

# Everything about one unit's subtree, under /units/<id>/: the dashboard and its JSON, the
# briefing, the units behind the counts, and the exports (same query string as the list).
unit_pages = [
    path("dashboard/", views.unit_dashboard_view, name="unit_dashboard"),
    path("dashboard.json", views.unit_dashboard_json, name="unit_dashboard_json"),
    path("dashboard.csv", views.unit_dashboard_csv, name="unit_dashboard_csv"),
    path("dashboard.xlsx", views.unit_dashboard_xlsx, name="unit_dashboard_xlsx"),
    path("briefing/", views.unit_briefing, name="unit_briefing"),
    path("briefing.docx", views.unit_briefing_docx, name="unit_briefing_docx"),
    path("units/", views.unit_units, name="unit_units"),
    path("units.csv", views.unit_units_csv, name="unit_units_csv"),
    path("units.xlsx", views.unit_units_xlsx, name="unit_units_xlsx"),
]

urlpatterns = [path("units/<int:pk>/", include(unit_pages))]
