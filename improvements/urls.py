from django.urls import path

from improvements import views

app_name = "improvements"

urlpatterns = [
    path("actions/<int:action_id>/", views.action_detail, name="action_detail"),
    path("actions/<int:action_id>/move/", views.card_move, name="action_move"),
    path("actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:action_id>/experiments/", views.experiment_add, name="experiment_add"),
    path(
        "actions/<int:action_id>/experiments/<int:experiment_id>/",
        views.experiment_edit,
        name="experiment_edit",
    ),
    path("teams/<slug:slug>/actions/limits/", views.wip_limits, name="wip_limits"),
]
