from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
