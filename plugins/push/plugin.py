"""Hook implementations of the push gateway (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.push import models  # noqa: F401  (the tables, for create_all)
from plugins.push import settings as config
from plugins.push.api import devices as device_routes
from plugins.push.services import devices, fcm

SLUG = "push"
VERSION = "0.1.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the gateway for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG, name={"id": "Notifikasi aplikasi", "en": "App notifications"},
        description={"id": "Notifikasi ke aplikasi RAGEM lewat Firebase Cloud Messaging.",
                     "en": "Notifications to the RAGEM app through Firebase Cloud Messaging."},
        opd="DISKOMINFO", version=VERSION, icon="bell",
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse a malformed ``RAGEM_PUSH_*`` value (a key that is not a service account's)."""
    return config.problems(settings)


@hookimpl
def ragem_message_gateways(settings):
    """The push channel, once the service account is set."""
    return [toolkit.MessageGateway(config.PROVIDER, "push")] if config.configured(settings) else []


@hookimpl
def ragem_deliver_message(message):
    """Notify every registered device of the account (``message.to`` is its id)."""
    if message.channel != "push" or not config.SERVICE_ACCOUNT.value():
        return None
    return fcm.send(message)


@hookimpl
def ragem_blueprints():
    """The routes the app registers its device with."""
    return [device_routes.blp]


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_push)."""
    return str(Path(__file__).resolve().with_name("migrations"))


@hookimpl
def ragem_user_export(user):
    """The citizen's registered devices (platform and date; never the tokens)."""
    return devices.export(user.id)


@hookimpl
def ragem_user_erase(user):
    """Forget every device of the account."""
    return devices.erase(user.id)
