"""Settings: read from ``RAGEM_*`` environment variables (and a ``.env`` file), validated at start.

Every setting is declared once in ``SETTINGS`` with its type, default and whether production
requires it to be set explicitly. ``load_settings`` returns a plain dict keyed by the name without
the ``RAGEM_`` prefix; a bad value raises ``ConfigError`` naming the variable.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from dotenv import dotenv_values

from ragem.private_paths import private_folder

PREFIX = "RAGEM_"
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the environment variable."""


def parse_bool(raw: str) -> bool:
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``)."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def parse_list(raw: str) -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_positive_int(raw: str) -> int:
    """A whole number above zero."""
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected 0 or a positive integer")
    return value


def _seconds_list(raw: str) -> list[int]:
    values = [int(item) for item in parse_list(raw)]
    if any(value < 0 for value in values):
        raise ValueError("expected comma-separated seconds, none negative (e.g. 10,60)")
    return values


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("expected a positive number")
    return value


#: The longest refresh-reuse grace accepted: beyond a minute a copied token would share the
#: session for long, and a mobile app's racing refreshes arrive within seconds of each other.
REFRESH_REUSE_GRACE_MAX = 60


def _grace_seconds(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= REFRESH_REUSE_GRACE_MAX:
        raise ValueError(f"expected whole seconds from 0 (no grace) to {REFRESH_REUSE_GRACE_MAX}")
    return value


def _env_name(raw: str) -> str:
    if raw not in ENVIRONMENTS:
        raise ValueError(f"expected one of {', '.join(ENVIRONMENTS)}")
    return raw


#: Argon2 cost profiles: RFC 9106's low-memory one, and argon2-cffi's cheapest for test suites only.
PASSWORD_PROFILES = ("rfc9106-low-memory", "test-cheapest")


def _password_profile(raw: str) -> str:
    if raw not in PASSWORD_PROFILES:
        raise ValueError(f"expected one of {', '.join(PASSWORD_PROFILES)}")
    return raw


def _audience(raw: str) -> str:
    if not raw or any(ch.isspace() for ch in raw):
        raise ValueError("expected one name without spaces, such as ragem-api")
    return raw


def _url(raw: str) -> str:
    if "://" not in raw:
        raise ValueError("expected a URL such as postgresql+psycopg://user@host/db")
    return raw


def parse_storage_url(url: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``s3://bucket/prefix`` (the prefix without slashes at either end).

    :raises ValueError: not an ``s3://`` URL, or no bucket name.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("expected s3://bucket or s3://bucket/prefix")
    if parts.query or parts.fragment:
        raise ValueError("expected s3://bucket/prefix without ? or #")
    return parts.netloc, parts.path.strip("/")


def _storage_url(raw: str) -> str:
    parse_storage_url(raw)
    return raw


@dataclass(frozen=True)
class Setting:
    """One configuration variable: its parser, default and whether production needs it explicitly."""

    name: str
    parse: Callable[[str], Any]
    default: Any = None
    secret: bool = False
    help: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", _env_name, "development", help="development, testing or production"),
    Setting("INSTANCE_PATH", str, None, help="folder for the SQLite file, keys and uploads"),
    Setting("DATABASE_URL", _url, None, help="SQLAlchemy URL; default SQLite under instance/"),
    Setting("REDIS_URL", _url, None, help="Redis for rate limits, job queue and cache"),
    Setting("SECRET_KEY", str, None, secret=True, help="Flask secret key"),
    Setting("JWT_PRIVATE_KEY", str, None, secret=True, help="PEM of the EC P-256 signing key, or a path to it"),
    Setting("DATA_KEY", str, None, secret=True, help="key that encrypts personal data at rest"),
    Setting("PASSWORD_HASHING", _password_profile, "rfc9106-low-memory",
            help="argon2id cost profile of new password hashes; test-cheapest only for test suites (refused in production)"),
    Setting("CORS_ORIGINS", parse_list, [], help="comma-separated origins allowed by CORS"),
    Setting("RATE_LIMIT", str, "600 per minute", help="default flask-limiter limit per client (writes)"),
    Setting("RATE_LIMIT_READS", parse_bool, False, help="apply RATE_LIMIT to GET/HEAD/OPTIONS too"),
    Setting("PLUGINS_ALLOW", parse_list, [], help="only these installed plugins load (empty: all)"),
    Setting("PLUGINS_DENY", parse_list, [], help="these installed plugins never load"),
    Setting("MAX_BODY_BYTES", parse_positive_int, 10 * 1024 * 1024, help="largest request body accepted"),
    Setting("UPLOAD_MAX_BYTES", parse_positive_int, 8 * 1024 * 1024, help="largest uploaded file"),
    Setting("UPLOAD_MAX_PIXELS", parse_positive_int, 40_000_000,
            help="largest image, in pixels (width x height), refused before it is decoded"),
    Setting("UPLOAD_UNATTACHED_HOURS", parse_positive_int, 24,
            help="hours an upload no service has claimed is kept before the clean-up job deletes it"),
    Setting("UPLOAD_QUOTA_FILES", parse_positive_int, 300, help="files one account may upload in 24 hours"),
    Setting("UPLOAD_QUOTA_BYTES", parse_positive_int, 1024 * 1024 * 1024,
            help="bytes one account may upload in 24 hours"),
    Setting("STORAGE_DIR", str, None, help="folder for uploaded files (default: <INSTANCE_PATH>/uploads)"),
    Setting("STORAGE_URL", _storage_url, None,
            help="s3://bucket/prefix: keep uploaded files in an S3-compatible object store instead of STORAGE_DIR"),
    Setting("S3_ENDPOINT_URL", _url, None, help="the object store's address (MinIO, Ceph...; empty: AWS)"),
    Setting("S3_REGION", str, None, help="the object store's region (default us-east-1)"),
    Setting("S3_ACCESS_KEY_ID", str, None, help="access key of the object store (production needs it with STORAGE_URL)"),
    Setting("S3_SECRET_ACCESS_KEY", str, None,
            help="secret key of the object store (production needs it with STORAGE_URL; never logged)"),
    Setting("SQLITE_BUSY_SECONDS", _positive_float, 30.0,
            help="SQLite only: seconds a write waits for another writer before it is answered 503 database_busy"),
    Setting("STATE_TTL", _positive_float, 1.0, help="seconds a worker trusts its cached service toggles and session checks"),
    Setting("LOG_LEVEL", str, "INFO", help="logging level"),
    Setting("LOG_JSON", parse_bool, True, help="write logs as JSON lines"),
    Setting("TOKEN_AUDIENCE", _audience, "ragem-api",
            help="the aud claim of access tokens: RAGEM's API; tokens for any other audience are refused"),
    Setting("ACCESS_TOKEN_MINUTES", parse_positive_int, 15, help="access token lifetime"),
    Setting("REFRESH_TOKEN_DAYS", parse_positive_int, 30, help="refresh token lifetime (each refresh starts a new one)"),
    Setting("REFRESH_REUSE_GRACE_SECONDS", _grace_seconds, 15,
            help="seconds a just-rotated refresh token, presented again, gets the session's current tokens "
                 "instead of revoking it (0: no grace)"),
    Setting("JOBS_INLINE", parse_bool, None, help="run jobs in-process even when Redis is configured"),
    Setting("SCHEDULER", parse_bool, None, help="run periodic jobs in web processes (default: in development, and in production without Redis)"),
    Setting("JOBS_QUEUE", str, "ragem", help="name of the RQ queue (with RAGEM_REDIS_URL)"),
    Setting("JOBS_RETRY_DELAYS", _seconds_list, [10, 60], help="seconds to wait before the 2nd and 3rd try of a failed job"),
    Setting("MESSAGES_CODE_FALLBACK_SECONDS", parse_positive_int, 90,
            help="seconds a one-time code sent by WhatsApp waits for a 'delivered' receipt before it goes by SMS"),
    Setting("MESSAGES_WITHOUT_CODES", parse_bool, False,
            help="declare that production runs without an SMS or WhatsApp gateway: no one-time code can be sent, "
                 "so registration, phone changes and password resets by phone are refused (503)"),
    Setting("METRICS_TOKEN", str, None, help="when set, /metrics needs 'Authorization: Bearer <token>'"),
    Setting("CONSOLE_IDLE_MINUTES", parse_positive_int, 30,
            help="minutes without a request after which a console log-in ends (its session is revoked)"),
    Setting("SSO_ISSUER", str, None,
            help="single sign-on: the provider's public URL, e.g. https://ragem.serangkota.go.id "
                 "(required in production; elsewhere the URL each request came to)"),
    Setting("PROXY_COUNT", _non_negative_int, 0, help="load balancers/proxies in front of RAGEM (trusted X-Forwarded-For hops)"),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _read_environment(environ: Mapping[str, str], dotenv_path: str | None) -> dict[str, str]:
    """Raw ``RAGEM_*`` values: the process environment wins over the ``.env`` file."""
    raw: dict[str, str] = {}
    if dotenv_path and Path(dotenv_path).is_file():
        for key, value in dotenv_values(dotenv_path).items():
            if key.startswith(PREFIX) and value is not None:
                raw[key[len(PREFIX):]] = value
    for key, value in environ.items():
        if key.startswith(PREFIX):
            raw[key[len(PREFIX):]] = value
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | None = ".env",
    *,
    read_only: bool = False,
) -> dict[str, Any]:
    """Build validated settings from the environment, ``.env`` and explicit ``overrides``.

    :param overrides: already-typed values keyed by name without prefix (used by tests and
        ``create_app(config=...)``); unknown keys pass through untouched for plugins.
    :param read_only: create nothing on disk: a development secret missing from ``instance/`` is
        made up for this process only instead of being written (commands that only read).
    :raises ConfigError: naming the variable whose value is missing or malformed.
    """
    overrides = dict(overrides or {})
    raw = _read_environment(os.environ if environ is None else environ, dotenv_path)
    settings: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            settings[setting.name] = overrides.pop(setting.name)
        elif setting.name in raw and raw[setting.name].strip() != "":
            try:
                settings[setting.name] = setting.parse(raw[setting.name].strip())
            except ValueError as exc:
                raise ConfigError(f"{PREFIX}{setting.name}: {exc}") from None
        else:
            settings[setting.name] = setting.default
    # Plugins' own variables (RAGEM_RABEG_HOLIDAYS -> RABEG_HOLIDAYS) pass through as text: each
    # plugin parses and checks its own in ragem_config_check.
    known = {setting.name for setting in SETTINGS}
    settings.update({name: value for name, value in raw.items() if name not in known})
    settings.update(overrides)
    _apply_defaults(settings, read_only=read_only)
    return settings


def _apply_defaults(settings: dict[str, Any], *, read_only: bool = False) -> None:
    """Fill derived defaults and enforce that production never runs on a default secret."""
    env = settings["ENV"]
    instance = Path(settings["INSTANCE_PATH"] or Path.cwd() / "instance").resolve()
    settings["INSTANCE_PATH"] = str(instance)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{instance / 'ragem.db'}"
    if env == "production":
        missing = [f"{PREFIX}{s.name}" for s in SETTINGS if s.secret and not settings.get(s.name)]
        if missing:
            raise ConfigError(
                "production needs these secrets set explicitly: " + ", ".join(missing)
            )
        if len(settings["SECRET_KEY"]) < 32:
            raise ConfigError(f"{PREFIX}SECRET_KEY: use at least 32 characters in production")
        if settings.get("STORAGE_URL"):
            missing = [f"{PREFIX}{name}" for name in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY") if not settings.get(name)]
            if missing:
                raise ConfigError(f"{PREFIX}STORAGE_URL: production needs these set explicitly: " + ", ".join(missing))
        if settings["PASSWORD_HASHING"] == "test-cheapest":
            raise ConfigError(f"{PREFIX}PASSWORD_HASHING: test-cheapest is for test suites, never production")
        _check_sso_issuer(settings.get("SSO_ISSUER"))
        return
    # Development and tests: secrets persisted under instance/ so every worker agrees on them.
    for name in ("SECRET_KEY", "DATA_KEY"):
        if not settings.get(name):
            settings[name] = _instance_secret(instance, name.lower(), create=not read_only)


def _check_sso_issuer(issuer: str | None) -> None:
    """Production names its single sign-on issuer: an https URL without query or fragment.

    Without it the issuer would follow each request's Host header, and a forged Host could
    publish a discovery document pointing OPD systems elsewhere.
    """
    if not issuer:
        raise ConfigError(f"{PREFIX}SSO_ISSUER: production needs the provider's public URL set explicitly")
    parts = urlsplit(issuer)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"{PREFIX}SSO_ISSUER: an https URL without query or fragment, e.g. https://ragem.serangkota.go.id")


def _instance_secret(instance: Path, name: str, *, create: bool = True) -> str:
    """A random development secret kept in ``instance/`` (created on first use; with
    ``create=False`` a missing one is random for this process and written nowhere)."""
    path = instance / f"{name}.dev"
    if path.is_file():
        return path.read_text().strip()
    if not create:
        # Nothing this process reads was encrypted with a secret that did not exist yet, and a
        # read must not leave an instance folder behind (the next real start makes the secret).
        return secrets.token_urlsafe(48)
    private_folder(instance)
    value = secrets.token_urlsafe(48)
    try:  # O_EXCL: when several workers start at once, the first writer wins for all.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
