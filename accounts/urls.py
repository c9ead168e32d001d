from django.urls import path

from accounts import oidc

app_name = "accounts"

urlpatterns = [
    path("accounts/oidc/login/", oidc.SignIn.as_view(), name="oidc_login"),
    path("oidc/callback/", oidc.Callback.as_view(), name="oidc_authentication_callback"),
]
