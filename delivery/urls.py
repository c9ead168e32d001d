"""Leads' actions on the team delivery page; portal/urls.py mounts these under teams/<slug>/delivery/."""

from django.urls import path

from delivery import views

urlpatterns = [
    path("tokens/", views.token_create, name="delivery_token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="delivery_token_revoke"),
    path("import/", views.history_upload, name="delivery_import"),
    path("webhooks/", views.webhook_create, name="delivery_webhook_create"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret, name="delivery_webhook_secret"),
    path("webhooks/<int:pk>/revoke/", views.webhook_revoke_view, name="delivery_webhook_revoke"),
    path("rules/", views.rules_edit, name="delivery_rules"),
]
