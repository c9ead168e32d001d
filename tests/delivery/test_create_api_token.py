from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from delivery.models import ApiToken


def test_prints_a_working_token_as_the_last_line(team, client):
    out = StringIO()
    call_command("create_api_token", "checkout", "GitHub Actions", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.team, token.name, token.created_by) == (team, "GitHub Actions", None)
    response = client.get("/api/v1/teams/checkout/metrics", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_unknown_team_is_an_error(db):
    with pytest.raises(CommandError, match="No team"):
        call_command("create_api_token", "nope", "CI", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_blank_name_is_an_error(team):
    with pytest.raises(CommandError, match="name"):
        call_command("create_api_token", "checkout", " ", stdout=StringIO())
