"""The HTTP SMS gateways against a local fake server (http.server in a thread): the request
they make (URL, authentication, body) and how they read the answer."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from contest.extensions import db
from contest.outbox.errors import Undeliverable
from contest.outbox.gateways import EsmsGateway, GatewayError, HttpGateway, phone_forms
from contest.outbox.models import OutboxMessage
from contest.sms import send_sms


@dataclass
class FakeGateway:
    """Answers each POST with the next of ``answers`` (status, JSON or text) and keeps what it
    was sent."""

    url: str = ""
    answers: list[tuple[int, object]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            fake.received.append({"path": self.path, "headers": dict(self.headers),
                                  "body": self.rfile.read(length).decode("utf-8")})
            status, answer = fake.answers.pop(0) if fake.answers else (200, {})
            data = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def http_config(url: str, **extra) -> dict:
    return {"SMS_HTTP_URL": url, "SMS_HTTP_AUTH": "basic:province:s3cret",
            "SMS_HTTP_CONTENT_TYPE": "json",
            "SMS_HTTP_BODY": '{"to": "{phone_local}", "message": "{text}", "ref": "{key}"}',
            "SMS_HTTP_SUCCESS": "json:result.status=ok", "SMS_HTTP_TIMEOUT": 5, **extra}


def test_phone_forms():
    assert phone_forms("+84912345678") == {"phone": "+84912345678",
                                           "phone_local": "0912345678",
                                           "phone_digits": "84912345678"}


def test_the_http_gateway_sends_the_configured_body_and_auth(gateway):
    gateway.answers = [(200, {"result": {"status": "ok"}})]
    text = 'Mã của bạn: 123456 "đừng chia sẻ"\n— Ban tổ chức'
    HttpGateway(http_config(gateway.url + "/send")).send("+84912345678", text, key="outbox-7")
    [request] = gateway.received
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(
        b"province:s3cret").decode()
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"]) == {"to": "0912345678", "message": text,
                                           "ref": "outbox-7"}


def test_the_http_gateway_success_rule_decides(gateway):
    sender = HttpGateway(http_config(gateway.url))
    gateway.answers = [(200, {"result": {"status": "error", "why": "balance"}}),
                       (500, {"result": {"status": "ok"}})]
    with pytest.raises(GatewayError, match="balance"):
        sender.send("+84912345678", "x")
    with pytest.raises(GatewayError, match="HTTP 500"):
        sender.send("+84912345678", "x")


def test_the_http_gateway_form_body_bearer_and_text_rule(gateway):
    sender = HttpGateway(http_config(
        gateway.url, SMS_HTTP_AUTH="bearer:tok-1", SMS_HTTP_CONTENT_TYPE="form",
        SMS_HTTP_BODY="dest={phone_digits}&msg={text}", SMS_HTTP_SUCCESS="text:ACCEPTED"))
    gateway.answers = [(200, "ACCEPTED id=1")]
    sender.send("+84912345678", "Xin chào & tạm biệt")
    [request] = gateway.received
    assert request["headers"]["Authorization"] == "Bearer tok-1"
    assert parse_qs(request["body"]) == {"dest": ["84912345678"], "msg": ["Xin chào & tạm biệt"]}


def test_an_unreachable_gateway_is_trouble_to_retry():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender = HttpGateway(http_config(f"http://127.0.0.1:{port}/"))
    with pytest.raises(GatewayError, match="unreachable"):
        sender.send("+84912345678", "x")


@pytest.mark.parametrize("bad", [{"SMS_HTTP_AUTH": "digest:x"},
                                 {"SMS_HTTP_SUCCESS": "always"},
                                 {"SMS_HTTP_URL": "file:///etc/passwd"},
                                 {"SMS_HTTP_CONTENT_TYPE": "xml"}])
def test_bad_gateway_settings_are_refused_at_start(bad):
    with pytest.raises(ValueError):
        HttpGateway(http_config("http://127.0.0.1:9/", **bad))


def esms_config(url: str, **extra) -> dict:
    return {"ESMS_URL": url + "/MainService.svc/json/SendMultipleMessage_V4_post_json/",
            "ESMS_API_KEY": "API-KEY", "ESMS_SECRET_KEY": "SECRET", "ESMS_BRANDNAME": "BINHDANG",
            "ESMS_SANDBOX": False, "SMS_HTTP_TIMEOUT": 5, **extra}


def test_esms_request_follows_its_documented_fields(gateway):
    gateway.answers = [(200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "abc"})]
    EsmsGateway(esms_config(gateway.url)).send("+84912345678", "Mã đặt lại: 123456",
                                               key="outbox-12")
    [request] = gateway.received
    assert request["path"] == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    assert json.loads(request["body"]) == {
        "ApiKey": "API-KEY", "SecretKey": "SECRET", "Phone": "0912345678",
        "Content": "Mã đặt lại: 123456", "Brandname": "BINHDANG", "SmsType": "2",
        "IsUnicode": "1", "Sandbox": "0", "RequestId": "outbox-12"}


def test_esms_answers(gateway):
    sender = EsmsGateway(esms_config(gateway.url, ESMS_SANDBOX=True))
    gateway.answers = [
        (200, {"CodeResult": "124", "ErrorMessage": "Request exist 1"}),  # taken before: sent
        (200, {"CodeResult": "108", "ErrorMessage": "Phone invalid"}),
        (200, {"CodeResult": "103", "ErrorMessage": "Not enough balance"}),
        (200, {"error": "Invalid request"}),
    ]
    sender.send("+84912345678", "plain ascii", key="outbox-1")
    with pytest.raises(Undeliverable, match="108"):
        sender.send("+84912345678", "x")
    with pytest.raises(GatewayError, match="103.*balance"):
        sender.send("+84912345678", "x")
    with pytest.raises(GatewayError, match="Invalid request"):
        sender.send("+84912345678", "x")
    first = json.loads(gateway.received[0]["body"])
    assert (first["IsUnicode"], first["Sandbox"]) == ("0", "1")


@pytest.fixture
def app_config(app_config, gateway):
    app_config.update(esms_config(gateway.url), SMS_SENDER="contest.outbox.gateways:EsmsGateway")
    return app_config


def test_an_sms_through_the_outbox_reaches_esms_with_its_outbox_id(app, gateway):
    gateway.answers = [(200, {"CodeResult": "100", "SMSID": "s1"}),
                       (200, {"CodeResult": "99", "ErrorMessage": "Phone blocked"})]
    send_sms("+84912345678", "Mã: 111111")
    db.session.commit()
    send_sms("+84987654321", "Mã: 222222")
    db.session.commit()
    first, second = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)
                                       ).scalars()
    db.session.refresh(first)
    db.session.refresh(second)
    assert [json.loads(r["body"])["RequestId"] for r in gateway.received] == \
        [f"outbox-{first.id}", f"outbox-{second.id}"]
    assert (first.status, first.attempts) == ("sent", 1)
    # A blocked number fails at once: no retry can help.
    assert (second.status, second.attempts) == ("failed", 1)
    assert "blocked" in second.last_error
    assert [m.phone for m in app.extensions["sms_outbox"]] == ["+84912345678"]
