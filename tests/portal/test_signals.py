def test_signing_out_says_so_on_the_login_page(client_for, member):
    response = client_for(member).post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You are signed out. Sign in again any time." in response.content.decode()


def test_signing_out_outside_a_request_needs_no_message_store(client_for, member):
    client = client_for(member)
    client.logout()  # the test client's own request has no message store: nothing breaks
    assert client.get("/").status_code == 302
