from django.urls import path

from accounts import oidc, scim

app_name = "accounts"

urlpatterns = [
    path("accounts/oidc/login/", oidc.SignIn.as_view(), name="oidc_login"),
    path("oidc/callback/", oidc.Callback.as_view(), name="oidc_authentication_callback"),
    path("scim/v2/Users", scim.users, name="scim_users"),
    path("scim/v2/Users/<str:pk>", scim.user, name="scim_user"),
    path("scim/v2/Groups", scim.groups, name="scim_groups"),
    path("scim/v2/Groups/<str:pk>", scim.group, name="scim_group"),
    path("scim/v2/ServiceProviderConfig", scim.service_provider_config, name="scim_config"),
    path("scim/v2/ResourceTypes", scim.resource_types, name="scim_resource_types"),
    path("scim/v2/Schemas", scim.schemas, name="scim_schemas"),
]
