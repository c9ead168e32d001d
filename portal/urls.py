from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import addresses
from accounts.views import SignIn, SignOut
from portal.api import api
from portal.api import not_found as api_not_found
from portal.views import exports
from portal.views.actions import action_board
from portal.views.delivery import delivery_page, delivery_records, delivery_records_csv
from portal.views.health import healthz
from portal.views.home import home
from portal.views.org import org_dashboard
from portal.views.preferences import language_choose, preferences, time_zone_detect
from portal.views.review import team_review
from portal.views.team import team_dashboard, team_targets

urlpatterns = [
    path(addresses.HOME, home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", SignIn.as_view(), name="login"),
    path("accounts/logout/", SignOut.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("accounts/preferences/", preferences, name="preferences"),
    path("accounts/preferences/time-zone/", time_zone_detect, name="time_zone_detect"),
    path("language/", language_choose, name="language_choose"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("assessments.urls")),
    path(addresses.TEAM_DASHBOARD, team_dashboard, name="team_dashboard"),
    path("teams/<slug:slug>/targets/", team_targets, name="team_targets"),
    path(addresses.TEAM_REVIEW, team_review, name="team_review"),
    path("teams/<slug:slug>/history.csv", exports.team_history_csv, name="export_team_history"),
    path("teams/<slug:slug>/actions/export.csv", exports.actions_csv, name="actions_export"),
    path(addresses.ORG, org_dashboard, name="org_dashboard"),
    path("org/heatmap.csv", exports.heatmap_csv, name="export_heatmap"),
    path("org/rounds.csv", exports.all_rounds_csv, name="export_all_rounds"),
    path("org/rounds/<int:round_id>.csv", exports.round_csv, name="export_round"),
    path(addresses.ACTION_BOARD, action_board, name="action_board"),
    path("", include("improvements.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # After the API's own URLs: any other address under /api/v1/ is a JSON 404, whatever the method.
    path("api/v1/<path:unknown>", api_not_found, name="api_not_found"),
    path(addresses.TEAM_DELIVERY, delivery_page, name="team_delivery"),
    path("teams/<slug:slug>/delivery/records/", delivery_records, name="delivery_records"),
    path("teams/<slug:slug>/delivery/records.csv", delivery_records_csv, name="delivery_records_csv"),
    path("", include("delivery.urls")),
]
