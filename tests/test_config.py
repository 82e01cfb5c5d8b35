"""Settings come from RAGEM_* variables and .env, are validated at start, and production needs real secrets."""
from __future__ import annotations

from datetime import date

import pytest

from ragem.app import create_app
from ragem.config import ConfigError, load_settings
from ragem.toolkit import hookimpl

from throwaway import ThrowawayPlugin


def test_environment_variables_are_typed_and_prefixed(tmp_path):
    settings = load_settings(
        environ={
            "RAGEM_INSTANCE_PATH": str(tmp_path),
            "RAGEM_CORS_ORIGINS": "https://a.example, https://b.example",
            "RAGEM_MAX_BODY_BYTES": "2048",
            "RAGEM_PLUGINS_DENY": "wifi",
            "OTHER_VARIABLE": "ignored",
        },
        dotenv_path=None,
    )
    assert settings["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert settings["MAX_BODY_BYTES"] == 2048
    assert settings["PLUGINS_DENY"] == ["wifi"]
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/ragem.db"


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("RAGEM_RATE_LIMIT=5 per second\nRAGEM_LOG_LEVEL=DEBUG\n")
    settings = load_settings(
        environ={"RAGEM_INSTANCE_PATH": str(tmp_path), "RAGEM_LOG_LEVEL": "ERROR"}, dotenv_path=str(dotenv)
    )
    assert settings["RATE_LIMIT"] == "5 per second"
    assert settings["LOG_LEVEL"] == "ERROR"


class ChecksItsDate(ThrowawayPlugin):
    """Reads ``RAGEM_<SLUG>_OPENS`` (an ISO date, optional) and refuses a malformed one."""

    @hookimpl
    def ragem_config_check(self, settings):
        value = settings.get(f"{self.slug.upper()}_OPENS")
        try:
            if value is not None:
                date.fromisoformat(value)
        except ValueError:
            return [f"RAGEM_{self.slug.upper()}_OPENS: expected a date, not {value!r}"]
        return []


def test_plugin_variables_reach_the_plugins_from_the_environment(tmp_path, monkeypatch):
    environ = {"RAGEM_INSTANCE_PATH": str(tmp_path), "RAGEM_RABEG_HOLIDAYS": "2026-12-01,2026-12-02",
               "RAGEM_WIFI_RADIUS_SECRET": "rahasia"}
    settings = load_settings(environ=environ, dotenv_path=None)
    assert settings["RABEG_HOLIDAYS"] == "2026-12-01,2026-12-02" and settings["WIFI_RADIUS_SECRET"] == "rahasia"

    # A plugin that finds its variable malformed fails on its own; the platform starts.
    monkeypatch.setenv("RAGEM_ZZPROBE_OPENS", "besok")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"},
                     extra_plugins=[("zzprobe", ChecksItsDate("zzprobe")), ("zzother", ChecksItsDate("zzother"))])
    registry = app.extensions["ragem.plugins"]
    assert registry.record_for_slug("zzprobe").status == "failed"
    assert "RAGEM_ZZPROBE_OPENS: expected a date, not 'besok'" in registry.record_for_slug("zzprobe").reason
    assert registry.record_for_slug("zzother").status == "enabled"  # its variable is unset: fine


@pytest.mark.parametrize(
    "name, value",
    [
        ("RAGEM_MAX_BODY_BYTES", "lots"),
        ("RAGEM_MAX_BODY_BYTES", "-1"),
        ("RAGEM_ENV", "staging"),
        ("RAGEM_DATABASE_URL", "not a url"),
        ("RAGEM_LOG_JSON", "maybe"),
        ("RAGEM_REFRESH_REUSE_GRACE_SECONDS", "-1"),
        ("RAGEM_REFRESH_REUSE_GRACE_SECONDS", "61"),
        ("RAGEM_REFRESH_REUSE_GRACE_SECONDS", "soon"),
    ],
)
def test_a_bad_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"RAGEM_INSTANCE_PATH": str(tmp_path), name: value}, dotenv_path=None)
    assert name in str(caught.value)


def test_production_refuses_to_start_without_explicit_secrets(tmp_path):
    with pytest.raises(ConfigError) as caught:
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    message = str(caught.value)
    for variable in ("RAGEM_SECRET_KEY", "RAGEM_JWT_PRIVATE_KEY", "RAGEM_DATA_KEY"):
        assert variable in message
    # No development secret was written as a side effect.
    assert not list(tmp_path.glob("*.dev"))


def test_production_refuses_a_short_secret_key_and_a_bad_signing_key(tmp_path):
    base = {"ENV": "production", "INSTANCE_PATH": str(tmp_path), "DATA_KEY": "k" * 44, "SSO_ISSUER": "https://r.example.id"}
    with pytest.raises(ConfigError, match="RAGEM_SECRET_KEY"):
        load_settings({**base, "SECRET_KEY": "short", "JWT_PRIVATE_KEY": "x"}, environ={}, dotenv_path=None)
    with pytest.raises(ConfigError, match="RAGEM_JWT_PRIVATE_KEY"):
        create_app({**base, "SECRET_KEY": "s" * 40, "JWT_PRIVATE_KEY": "not a pem"})


def test_production_refuses_to_start_without_a_fixed_sso_issuer(tmp_path):
    base = {"ENV": "production", "INSTANCE_PATH": str(tmp_path), "DATA_KEY": "k" * 44,
            "SECRET_KEY": "s" * 40, "JWT_PRIVATE_KEY": "x", "PASSWORD_HASHING": "rfc9106-low-memory"}
    with pytest.raises(ConfigError, match="RAGEM_SSO_ISSUER"):
        load_settings(base, environ={}, dotenv_path=None)
    for bad in ("http://ragem.example.id", "https://ragem.example.id/?tenant=1", "ragem.example.id"):
        with pytest.raises(ConfigError, match="RAGEM_SSO_ISSUER"):
            load_settings({**base, "SSO_ISSUER": bad}, environ={}, dotenv_path=None)
    settings = load_settings({**base, "SSO_ISSUER": "https://ragem.example.id"}, environ={}, dotenv_path=None)
    assert settings["SSO_ISSUER"] == "https://ragem.example.id"
    # Outside production the issuer may still follow the request (a developer's own machine).
    assert load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={}, dotenv_path=None)["SSO_ISSUER"] is None


def test_development_secrets_are_stable_across_workers(tmp_path):
    first = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={}, dotenv_path=None)
    second = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={}, dotenv_path=None)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["DATA_KEY"] == second["DATA_KEY"]
