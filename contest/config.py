"""Settings read from the environment.

The defaults give a self-contained installation: an embedded SQLite database and a generated
secret key under ``instance/``, mail and SMS written to the application log, rate limits kept in
memory. A production deployment sets ``DATABASE_URL``, ``SECRET_KEY``, mail and Redis settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use SECRET_KEY, or a key generated once into instance/ and kept there."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting together must agree on one key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'contest.db'}"
    # Hosting panels often hand out postgres:// URLs; psycopg 3 needs its own dialect name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config() -> dict:
    """Return the settings of this process as a plain dict for ``app.config``."""
    production = os.environ.get("APP_ENV", "development") == "production"
    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(),
        "SECRET_KEY_FROM_ENV": bool(os.environ.get("SECRET_KEY")),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        # No test query before every checkout (one round trip per request): connections are
        # replaced after DB_POOL_RECYCLE seconds instead, and a pool whose server restarted
        # is emptied by the first error. DB_POOL_PRE_PING=1 brings the ping back.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": _bool("DB_POOL_PRE_PING", False),
            "pool_recycle": int(os.environ.get("DB_POOL_RECYCLE", 1800)),
        },
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)),
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=7),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "HSTS": production,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ["vi", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Public leaderboards and results for anonymous readers, kept a few seconds (within the
        # max-age they publish): in Redis, shared by every worker and server, when
        # CACHE_REDIS_URL is set, else in each process.
        "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL", ""),
        "CACHE_TYPE": os.environ.get("CACHE_TYPE") or (
            "RedisCache" if os.environ.get("CACHE_REDIS_URL") else "SimpleCache"),
        "CACHE_KEY_PREFIX": "contest:",
        # The campaign settings every page's header and footer show are kept this long in each
        # process; a change reaches the other workers and servers within it.
        "CAMPAIGN_SETTINGS_CACHE_SECONDS": float(os.environ.get("CAMPAIGN_SETTINGS_CACHE_SECONDS",
                                                                30)),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10 per minute;60 per hour"),
        # Accounts created from one client address; many people share one (a commune hall, a
        # school, a mobile carrier), so this is generous, and failed attempts far more so.
        "RATELIMIT_REGISTER": os.environ.get("RATELIMIT_REGISTER", "60 per hour;300 per day"),
        "RATELIMIT_REGISTER_FAILED": os.environ.get("RATELIMIT_REGISTER_FAILED",
                                                    "300 per hour"),
        "RATELIMIT_RESET": os.environ.get("RATELIMIT_RESET", "5 per minute;20 per hour"),
        # Reset messages to one phone number or mailbox, whatever the client address.
        "RATELIMIT_RESET_DESTINATION": os.environ.get("RATELIMIT_RESET_DESTINATION",
                                                      "1 per minute;5 per day"),
        # Wrong passwords in a row that pause an account, and for how long (any address).
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 10)),
        "LOGIN_LOCK_SECONDS": int(os.environ.get("LOGIN_LOCK_SECONDS", 15 * 60)),
        # How long a typed password counts as fresh for sensitive changes.
        "REAUTH_MAX_AGE": int(os.environ.get("REAUTH_MAX_AGE", 10 * 60)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Bình đẳng <no-reply@localhost>"),
        "SMS_SENDER": os.environ.get("SMS_SENDER", "contest.sms:LogSender"),
        "CAPTURE_MESSAGES": False,
        # The outbox (contest.outbox): how queued mail and SMS leave ("worker", "thread",
        # "sync"; empty: thread on SQLite, worker on PostgreSQL, sync with CAPTURE_MESSAGES),
        # how often a failure is tried and how long a worker's claim on a message lasts.
        "OUTBOX_DELIVERY": os.environ.get("OUTBOX_DELIVERY", ""),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8)),
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", 60)),
        "OUTBOX_BACKOFF_MAX_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", 3600)),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", 300)),
        "OUTBOX_POLL_SECONDS": int(os.environ.get("OUTBOX_POLL_SECONDS", 30)),
        # SMS gateways of contest.outbox.gateways (SMS_SENDER picks one).
        "SMS_HTTP_URL": os.environ.get("SMS_HTTP_URL", ""),
        "SMS_HTTP_AUTH": os.environ.get("SMS_HTTP_AUTH", ""),
        "SMS_HTTP_CONTENT_TYPE": os.environ.get("SMS_HTTP_CONTENT_TYPE", "json"),
        "SMS_HTTP_BODY": os.environ.get("SMS_HTTP_BODY",
                                        '{"to": "{phone}", "text": "{text}", "id": "{key}"}'),
        "SMS_HTTP_SUCCESS": os.environ.get("SMS_HTTP_SUCCESS", "status:2xx"),
        "SMS_HTTP_TIMEOUT": float(os.environ.get("SMS_HTTP_TIMEOUT", 15)),
        "ESMS_URL": os.environ.get(
            "ESMS_URL",
            "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"),
        "ESMS_API_KEY": os.environ.get("ESMS_API_KEY", ""),
        "ESMS_SECRET_KEY": os.environ.get("ESMS_SECRET_KEY", ""),
        "ESMS_BRANDNAME": os.environ.get("ESMS_BRANDNAME", ""),
        "ESMS_SANDBOX": _bool("ESMS_SANDBOX", False),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "EMAIL_TOKEN_MAX_AGE": 48 * 3600,
        "RESET_TOKEN_MAX_AGE": 3600,
        "ORGANIZER_RESET_MAX_AGE": 72 * 3600,
        "REPORT_TOKEN_MAX_AGE": 14 * 24 * 3600,
        "SMS_CODE_MAX_AGE": 15 * 60,
        "SMS_CODE_MAX_TRIES": 5,
        "CONSENT_VERSION": "2026-01",
        "UPLOAD_ROOT": os.environ.get("UPLOAD_ROOT", str(INSTANCE / "uploads")),
        # The resumable uploader of entry files: the largest chunk one request may carry, and
        # how long an upload may sit untouched before its received bytes are removed.
        "UPLOAD_CHUNK_BYTES": int(os.environ.get("UPLOAD_CHUNK_BYTES", 4 * 1024 * 1024)),
        "UPLOAD_PARTIAL_HOURS": float(os.environ.get("UPLOAD_PARTIAL_HOURS", 24)),
        # Answers may arrive this many seconds after an attempt's deadline (a slow mobile link).
        "QUIZ_GRACE_SECONDS": int(os.environ.get("QUIZ_GRACE_SECONDS", 10)),
        # Questions per page of a quiz paper without JavaScript; 0 puts the whole paper on one page.
        "QUIZ_PAGE_SIZE": int(os.environ.get("QUIZ_PAGE_SIZE", 0)),
    }


# --- checking a deployment's settings ----------------------------------------------------------

DEFAULT_SMS_SENDER = "contest.sms:LogSender"


@dataclass(frozen=True)
class Finding:
    """One result of :func:`check_settings`: ``level`` is "error", "warning" or "ok"."""

    level: str
    message: str


def shared_rate_limits(config: Mapping[str, Any]) -> bool:
    """Whether rate-limit counters are shared between workers and servers (not in memory)."""
    return not str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://")


def check_settings(config: Mapping[str, Any], debug: bool = False) -> list[Finding]:
    """What a production deployment still lacks in ``config``; pure, no I/O.

    Outside production the same findings are warnings: a local installation runs fine with
    the defaults.
    """
    production = config.get("APP_ENV") == "production"
    bad = "error" if production else "warning"
    found: list[Finding] = []

    def check(ok: bool, good: str, problem: str) -> None:
        found.append(Finding("ok", good) if ok else Finding(bad, problem))

    key = str(config.get("SECRET_KEY") or "")
    check(bool(config.get("SECRET_KEY_FROM_ENV")) and len(key) >= 32,
          "SECRET_KEY is set from the environment",
          "SECRET_KEY is missing, generated into instance/ or shorter than 32 characters: set "
          "one long random value, the same on every server")
    check(shared_rate_limits(config), "rate limits are kept in shared storage",
          "RATELIMIT_STORAGE_URI is memory://: each worker counts on its own, so every limit is "
          "multiplied by the number of workers; use redis://")
    check(bool(config.get("RATELIMIT_ENABLED", True)), "rate limits are on",
          "RATELIMIT_ENABLED is off")
    check(bool(config.get("MAIL_SERVER")), "SMTP server is set",
          "MAIL_SERVER is empty: e-mail (reset links, notices) is only written to the log")
    check(config.get("SMS_SENDER", DEFAULT_SMS_SENDER) != DEFAULT_SMS_SENDER,
          "an SMS gateway is set",
          "SMS_SENDER is the log writer: reset codes and notices by SMS are never sent")
    check(bool(config.get("SESSION_COOKIE_SECURE")) and bool(config.get("REMEMBER_COOKIE_SECURE")),
          "cookies are sent over HTTPS only",
          "SESSION_COOKIE_SECURE is off: session and remember-me cookies would travel over "
          "plain HTTP")
    check(not debug and not config.get("DEBUG"), "debug mode is off",
          "debug mode is on: the debugger runs code for anyone who reaches an error page")
    return found
