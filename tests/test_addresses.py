"""The addresses lower floors link to are the ones the portal serves."""

import pytest
from django.urls import reverse

import addresses
from addresses import address


@pytest.mark.parametrize(
    ("route", "name", "parameters"),
    [
        (addresses.HOME, "home", {}),
        (addresses.TEAM_DASHBOARD, "team_dashboard", {"slug": "checkout"}),
        (addresses.TEAM_REVIEW, "team_review", {"slug": "checkout"}),
        (addresses.TEAM_DELIVERY, "team_delivery", {"slug": "checkout"}),
        (addresses.ACTION_BOARD, "action_board", {"slug": "checkout"}),
        (addresses.ORG, "org_dashboard", {}),
    ],
)
def test_each_address_is_the_portal_page_of_that_name(route, name, parameters):
    assert address(route, **parameters) == reverse(name, kwargs=parameters)


def test_a_query_string_goes_on_the_end():
    assert address(addresses.ORG, query={"group": "payments", "round": 3}) == "/org/?group=payments&round=3"
