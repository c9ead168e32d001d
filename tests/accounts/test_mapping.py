"""Group names to teams and roles (accounts.mapping): pure."""

import pytest

from accounts import mapping

RULES = mapping.parse_rules(
    "gemba-{team}-leads -> lead; gemba-{team} -> member; gemba-managers-{group} -> manager\n"
    "/Engineering/Checkout -> checkout:member\ngemba-admins -> staff"
)
TEAMS = {"checkout", "billing"}
GROUPS = {"payments"}


def want(*groups):
    return mapping.desired(groups, RULES, teams=TEAMS, team_groups=GROUPS)


def test_a_team_pattern_makes_members_and_leads():
    assert want("gemba-billing", "gemba-checkout-leads").teams == {"billing": "member", "checkout": "lead"}


def test_lead_wins_over_member_whatever_the_order():
    assert want("gemba-checkout-leads", "gemba-checkout").teams == {"checkout": "lead"}
    assert want("gemba-checkout", "gemba-checkout-leads").teams == {"checkout": "lead"}


def test_named_groups_managers_staff_and_case():
    result = want("/ENGINEERING/Checkout", "GEMBA-MANAGERS-PAYMENTS", "gemba-admins")
    assert result.teams == {"checkout": "member"} and result.groups == {"payments"} and result.staff


def test_unknown_teams_and_groups_are_ignored():
    result = want("gemba-nope", "gemba-managers-nope", "other")
    assert (result.teams, result.groups, result.staff) == ({}, set(), False)


def test_each_decision_names_its_rule():
    assert "gemba-{team} -> member" in want("gemba-billing").why["billing"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gemba-x", "write '<group pattern> ->"),
        ("gemba-x -> member", "needs {team}"),
        ("gemba-x -> manager", "needs {group}"),
        ("gemba-{team} -> boss", "the target must be"),
        (" -> lead", "empty"),
    ],
)
def test_bad_rules_say_what_is_wrong(text, message):
    with pytest.raises(mapping.RuleError, match=message):
        mapping.parse_rules(text)


def test_an_unreadable_group_map_fails_the_system_check(settings):
    from accounts.checks import group_map_readable

    settings.GEMBA_OIDC_GROUP_MAP = "gemba-{team} -> boss"
    (error,) = group_map_readable(None)
    assert error.id == "accounts.E001" and "boss" in error.msg
    settings.GEMBA_OIDC_GROUP_MAP = "gemba-{team} -> member"
    assert group_map_readable(None) == []
