from unittest.mock import patch

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_with_a_reason_when_the_database_is_down(client, db):
    def refuse(self):
        raise OperationalError("connection refused: secret-host:5432 password=hunter2")

    with patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"]
    assert "hunter2" not in response.content.decode()
    assert "secret-host" not in response.content.decode()


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405
