"""Every registered model's admin changelist and add page loads for staff."""

import pytest
from django.contrib import admin
from django.urls import reverse


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label not in {"axes"}]


@pytest.mark.parametrize(
    "model", registered_models(), ids=lambda model: f"{model._meta.app_label}.{model._meta.model_name}"
)
def test_changelist_and_add_page_load(client_for, staff, team, member, manager, model):
    client = client_for(staff)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    model_admin = admin.site._registry[model]
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    expected = 200 if model_admin.has_add_permission(changelist.wsgi_request) else 403
    assert add.status_code == expected


def test_team_admin_edits_memberships_inline(client_for, staff, team, member):
    response = client_for(staff).get(reverse("admin:teams_team_change", args=[team.pk]))
    assert response.status_code == 200
    assert b"memberships-TOTAL_FORMS" in response.content


def test_admin_is_closed_to_non_staff(client_for, member):
    response = client_for(member).get("/admin/")
    assert response.status_code == 302
