from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:round_id>/<slug:team_slug>/", views.survey_take, name="survey_take"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/schedules/", views.schedule_new, name="schedule_create"),
    path("rounds/schedules/<int:schedule_id>/", views.schedule_action, name="schedule_change"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/remind/", views.round_remind, name="round_remind"),
    path("rounds/<int:round_id>/close/", views.round_close_now, name="round_close"),
]
