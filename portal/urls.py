from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal.views.actions import action_board
from portal.views.health import healthz
from portal.views.home import home
from portal.views.team import team_dashboard

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("assessments.urls")),
    path("teams/<slug:slug>/", team_dashboard, name="team_dashboard"),
    path("teams/<slug:slug>/actions/", action_board, name="action_board"),
    path("", include("improvements.urls")),
    path("admin/", admin.site.urls),
]
