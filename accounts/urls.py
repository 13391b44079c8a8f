from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("second-factor/", views.otp_setup, name="otp_setup"),
    path("second-factor/verify/", views.otp_verify, name="otp_verify"),
]
