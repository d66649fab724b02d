"""While the database does not answer, pages and the API say so with a 503 that reads nothing
from it, instead of a 500."""

from __future__ import annotations

from contest import create_app


def test_a_database_that_does_not_answer_gives_a_friendly_503(app_config, tmp_path):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/missing/dir/x.db"
    client = create_app(app_config).test_client()
    response = client.get("/news")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Yêu cầu này chưa được lưu" in response.get_data(as_text=True)
    api = client.get("/api/rounds")
    assert api.status_code == 503 and api.get_json()["status"] == 503
