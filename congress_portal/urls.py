from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core import views as core_views

admin.site.site_header = "Cổng theo dõi Đại hội Đảng"
admin.site.site_title = "Cổng Đại hội"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
    path("", include("committees.urls")),
    path("", include("congresses.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("workgroups.urls")),
    path("", include("documents.urls")),
]

