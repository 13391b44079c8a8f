from django.urls import include, path

from . import views

app_name = "reminders"

# The notification centre of the signed-in user.
urlpatterns = [path("notifications/", include([
    path("", views.notification_list, name="notification_list"),
    path("settings/", views.preferences, name="preferences"),
    path("read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("<int:pk>/", views.notification_detail, name="notification_detail"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
]))]
