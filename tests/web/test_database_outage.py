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


def test_a_signed_in_reader_gets_the_503_in_the_language_of_the_cookie(app_config, tmp_path):
    from datetime import date

    from flask_migrate import upgrade

    from contest.accounts import service
    from contest.extensions import db

    folder = tmp_path / "db"
    folder.mkdir()
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder}/x.db"
    app = create_app(app_config)
    with app.app_context():
        upgrade()
        service.register(service.Registration(
            full_name="Lò Thị Mai", phone="+84912000111", password="correct horse battery",
            birth_date=date(1990, 1, 2), consent_version="test", email="mai@example.org"),
            app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"identifier": "mai@example.org",
                                           "password": "correct horse battery"}
                           ).status_code == 302
        client.set_cookie("lang", "en")
        db.session.remove()
        db.engine.dispose()
        folder.rename(tmp_path / "gone")  # every new connection now fails
        response = client.get("/account")
        assert response.status_code == 503
        assert "Nothing was saved from this request" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_log_in_without_its_rate_limit_storage_is_a_503_not_a_500(app_config):
    import socket

    with socket.socket() as s:  # a Redis address nothing answers at
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    app = create_app(app_config)
    client = app.test_client()
    response = client.post("/login", data={"identifier": "mai@example.org", "password": "x"})
    assert response.status_code == 503
    assert "Phần này của trang web tạm dừng" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200
