from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from accounts.forms import PasswordResetForm
from core import views as core_views

# The product's one name (settings.PORTAL_NAME), in the admin's header and title too.
admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = _("Administration")

# Django's own password views, with the portal's templates (templates/registration/).
# Names without a namespace: the views reverse them so.
password_urls = [
    path("change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reset/", auth_views.PasswordResetView.as_view(
        html_email_template_name="registration/password_reset_email.html",
        email_template_name="registration/password_reset_email.txt",
        form_class=PasswordResetForm,
    ), name="password_reset"),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("account/password/", include(password_urls)),
    path("account/", include("accounts.urls")),
    path("", include("committees.urls")),
    path("", include("congresses.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("workgroups.urls")),
    path("", include("documents.urls")),
    path("", include("personnel.urls")),
    path("", include("petitions.urls")),
    path("", include("conclusions.urls")),
    path("", include("briefings.urls")),
]

