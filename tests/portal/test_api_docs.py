"""/api/v1/docs and /api/v1/openapi.json: for signed-in users, served without CDN or inline script."""

import re

from django.contrib.staticfiles import finders


def test_docs_and_schema_need_a_signed_in_user(client, db):
    # The page sends a person to sign in; the schema, a JSON document for tools, is a JSON 401.
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in first."}


def test_schema_lists_the_delivery_operations(client_for, member):
    schema = client_for(member).get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Gemba API"
    assert {"/api/v1/deployments", "/api/v1/incidents", "/api/v1/incidents/{external_id}"} <= set(
        schema["paths"]
    )
    assert "/api/v1/teams/{slug}/metrics" in schema["paths"]
    assert "TokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_loads_nothing_from_another_host_and_has_no_inline_script(client_for, member):
    response = client_for(member).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    # Every <script> element loads a file: none carries code or data of its own.
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attributes and not body.strip()
    assert "style=" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_docs_page_hands_the_settings_to_our_script(client_for, member):
    html = client_for(member).get("/api/v1/docs").content.decode()
    assert 'id="swagger-ui" data-settings="' in html
    assert "&quot;url&quot;: &quot;/api/v1/openapi.json&quot;" in html
    assert "&quot;validatorUrl&quot;: null" in html


def test_the_files_the_docs_page_needs_are_shipped():
    for path in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "js/api-docs.js"):
        assert finders.find(path), path
