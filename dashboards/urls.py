from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("units/<int:pk>/dashboard/", views.unit_dashboard_view, name="unit_dashboard"),
    path("units/<int:pk>/dashboard.json", views.unit_dashboard_json, name="unit_dashboard_json"),
    path("units/<int:pk>/briefing/", views.unit_briefing, name="unit_briefing"),
]
