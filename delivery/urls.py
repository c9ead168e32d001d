"""The delivery app's addresses: the leads' forms of the team delivery page (which the portal
composes at teams/<slug>/delivery/) and the webhook URL each provider calls."""

from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("teams/<slug:slug>/delivery/tokens/", views.token_create, name="token_create"),
    path("teams/<slug:slug>/delivery/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("teams/<slug:slug>/delivery/import/", views.history_upload, name="import"),
    path("teams/<slug:slug>/delivery/webhooks/", views.webhook_new, name="webhook_create"),
    path(
        "teams/<slug:slug>/delivery/webhooks/<int:pk>/secret/",
        views.webhook_secret_form,
        name="webhook_secret",
    ),
    path(
        "teams/<slug:slug>/delivery/webhooks/<int:pk>/revoke/",
        views.webhook_revoke_view,
        name="webhook_revoke",
    ),
    path("teams/<slug:slug>/delivery/rules/", views.rules_edit, name="rules"),
    # Provider calls: one endpoint per provider, the webhook's random id in the path (SPEC §6).
    path("webhooks/<str:provider>/<str:public_id>", views.receive, name="webhook_receive"),
]
