"""SMS senders over HTTP, for ``SMS_SENDER``.

- :class:`HttpGateway` (``contest.outbox.gateways:HttpGateway``): any gateway that takes one
  HTTP request per message. ``SMS_HTTP_URL`` is where to send; ``SMS_HTTP_AUTH`` is empty,
  ``basic:user:password``, ``bearer:token`` or ``header:Name:value``; ``SMS_HTTP_BODY`` is the
  body with the placeholders ``{phone}`` (as stored, +84…), ``{phone_local}`` (0…),
  ``{phone_digits}`` (84…), ``{text}`` and ``{key}`` (the outbox id, the same on every
  attempt); ``SMS_HTTP_CONTENT_TYPE`` is ``json`` (values are escaped as JSON string contents,
  so write the quotes in the template) or ``form`` (the body is ``name=value&…`` and values are
  URL-encoded). ``SMS_HTTP_SUCCESS`` says what counts as accepted: ``status:2xx`` (any 2xx
  answer), ``status:200``, ``json:Field=value`` (a 2xx answer whose JSON has that value at that
  dotted path) or ``text:word`` (a 2xx answer containing the word).
- :class:`EsmsGateway` (``contest.outbox.gateways:EsmsGateway``): eSMS.vn's brand-name
  customer-care message (``SendMultipleMessage_V4_post_json``, ``SmsType`` 2) as its developer
  documentation describes it: JSON with ``ApiKey``, ``SecretKey``, ``Phone``, ``Content``,
  ``Brandname``, ``SmsType``, ``IsUnicode``, ``Sandbox`` and ``RequestId``; the answer's
  ``CodeResult`` is ``"100"`` when the request is accepted. ``RequestId`` is the outbox id, so
  a retry of a request eSMS already took answers 124 (duplicate), which counts as sent. A
  blocked or malformed number (99, 108) fails the message at once; other codes are retried.
  Settings: ``ESMS_API_KEY``, ``ESMS_SECRET_KEY``, ``ESMS_BRANDNAME``, ``ESMS_SANDBOX``,
  ``ESMS_URL``.

Both use only the standard library (urllib) and a timeout (``SMS_HTTP_TIMEOUT`` seconds).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from contest.outbox.errors import Undeliverable

_PLACEHOLDER = re.compile(r"\{(phone|phone_local|phone_digits|text|key)\}")


class GatewayError(RuntimeError):
    """The gateway did not accept the message this time (it is tried again later)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


def phone_forms(phone: str) -> dict[str, str]:
    """A stored number (+84912345678) as the forms gateways ask for."""
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    return {"phone": phone, "phone_local": "0" + national, "phone_digits": "84" + national}


def fill(template: str, values: dict[str, str], content_type: str) -> str:
    """Put ``values`` into ``template``, each escaped for the body's ``content_type``."""
    if content_type == "json":
        def escape(v: str) -> str:
            return json.dumps(v, ensure_ascii=False)[1:-1]
    else:
        def escape(v: str) -> str:
            return urllib.parse.quote_plus(v)
    return _PLACEHOLDER.sub(lambda m: escape(values[m.group(1)]), template)


def auth_header(spec: str) -> tuple[str, str] | None:
    """``basic:user:password``, ``bearer:token`` or ``header:Name:value`` as one header."""
    if not spec:
        return None
    scheme, _, rest = spec.partition(":")
    if scheme == "basic":
        return "Authorization", "Basic " + base64.b64encode(rest.encode()).decode()
    if scheme == "bearer":
        return "Authorization", "Bearer " + rest
    if scheme == "header":
        name, _, value = rest.partition(":")
        if name and value:
            return name, value
    raise ValueError("SMS_HTTP_AUTH must be basic:user:password, bearer:token or "
                     "header:Name:value")


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def accepted(rule: str, answer: Answer) -> bool:
    """Whether ``answer`` meets the success ``rule`` (see the module's description)."""
    kind, _, arg = rule.partition(":")
    ok_status = 200 <= answer.status < 300
    if kind == "status":
        return ok_status if arg in ("", "2xx") else str(answer.status) == arg
    if kind == "json":
        path, _, value = arg.partition("=")
        found = _dig(answer.json(), path)
        return ok_status and found is not None and str(found) == value
    if kind == "text":
        return ok_status and arg in answer.body.decode("utf-8", "replace")
    raise ValueError("SMS_HTTP_SUCCESS must be status:2xx, status:<code>, json:<path>=<value> "
                     "or text:<word>")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """One POST; an HTTP error status is an answer, a network failure a GatewayError."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("a gateway URL must start with https:// or http://")
    request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read(65536))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(65536) if exc.fp else b"")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GatewayError(f"gateway unreachable: {exc}") from exc


class HttpGateway:
    """A gateway configured by URL, authentication, body template and success rule."""

    def __init__(self, config: dict) -> None:
        self.url = config["SMS_HTTP_URL"]
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("SMS_HTTP_URL must be an http(s) URL")
        self.content_type = config.get("SMS_HTTP_CONTENT_TYPE", "json")
        if self.content_type not in ("json", "form"):
            raise ValueError("SMS_HTTP_CONTENT_TYPE must be json or form")
        self.template = config["SMS_HTTP_BODY"]
        self.auth = auth_header(config.get("SMS_HTTP_AUTH", ""))
        self.rule = config.get("SMS_HTTP_SUCCESS", "status:2xx")
        accepted(self.rule, Answer(200, b""))  # refuse a malformed rule at start-up
        self.timeout = float(config.get("SMS_HTTP_TIMEOUT", 15))

    def send(self, phone: str, text: str, key: str | None = None) -> None:
        values = {**phone_forms(phone), "text": text, "key": key or ""}
        body = fill(self.template, values, self.content_type)
        headers = {"Content-Type": "application/json; charset=utf-8"
                   if self.content_type == "json"
                   else "application/x-www-form-urlencoded; charset=utf-8"}
        if self.auth:
            headers[self.auth[0]] = self.auth[1]
        answer = post(self.url, body.encode("utf-8"), headers, self.timeout)
        if not accepted(self.rule, answer):
            raise GatewayError(f"HTTP {answer.status}: "
                               f"{answer.body[:200].decode('utf-8', 'replace')}")


# eSMS.vn CodeResult values (developer documentation, "Table of error codes").
ESMS_ACCEPTED = "100"
ESMS_DUPLICATE = "124"          # this RequestId was taken before: the message is on its way
ESMS_NEVER = {"99": "the number is blocked", "108": "the number is not in a valid format"}


class EsmsGateway:
    """eSMS.vn brand-name customer-care SMS (see the module's description)."""

    def __init__(self, config: dict) -> None:
        self.url = config["ESMS_URL"]
        self.api_key = config["ESMS_API_KEY"]
        self.secret_key = config["ESMS_SECRET_KEY"]
        self.brandname = config["ESMS_BRANDNAME"]
        if not (self.api_key and self.secret_key and self.brandname):
            raise ValueError("EsmsGateway needs ESMS_API_KEY, ESMS_SECRET_KEY and "
                             "ESMS_BRANDNAME")
        self.sandbox = bool(config.get("ESMS_SANDBOX"))
        self.timeout = float(config.get("SMS_HTTP_TIMEOUT", 15))

    def send(self, phone: str, text: str, key: str | None = None) -> None:
        payload = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": phone_forms(phone)["phone_local"],
            "Content": text,
            "Brandname": self.brandname,
            "SmsType": "2",
            # Vietnamese with its diacritics needs the Unicode charset; plain ASCII does not.
            "IsUnicode": "0" if text.isascii() else "1",
            "Sandbox": "1" if self.sandbox else "0",
        }
        if key:
            payload["RequestId"] = key
        answer = post(self.url, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                      {"Content-Type": "application/json; charset=utf-8"}, self.timeout)
        data = answer.json()
        code = str(data.get("CodeResult", "")) if isinstance(data, dict) else ""
        if 200 <= answer.status < 300 and code in (ESMS_ACCEPTED, ESMS_DUPLICATE):
            return
        detail = (data.get("ErrorMessage") if isinstance(data, dict) else None) or \
            answer.body[:200].decode("utf-8", "replace")
        if code in ESMS_NEVER:
            raise Undeliverable(f"eSMS {code}: {ESMS_NEVER[code]} ({detail})")
        raise GatewayError(f"eSMS HTTP {answer.status}, CodeResult {code or '-'}: {detail}")
