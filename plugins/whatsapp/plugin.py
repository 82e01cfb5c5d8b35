"""Hook implementations of the WhatsApp gateway (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.whatsapp import settings as config
from plugins.whatsapp.api import webhook
from plugins.whatsapp.services import sending

SLUG = "whatsapp"
VERSION = "0.1.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the gateway for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG, name={"id": "Gerbang WhatsApp", "en": "WhatsApp gateway"},
        description={"id": "Mengirim kode dan pemberitahuan lewat WhatsApp Business.",
                     "en": "Sends codes and notices through WhatsApp Business."},
        opd="DISKOMINFO", version=VERSION, icon="message",
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse a malformed ``RAGEM_WHATSAPP_*`` value, or a number without its token and secrets."""
    return config.problems(settings)


@hookimpl
def ragem_message_gateways(settings):
    """The WhatsApp channel, once the phone number id is set."""
    return [toolkit.MessageGateway(config.PROVIDER, "whatsapp")] if config.configured(settings) else []


@hookimpl
def ragem_deliver_message(message):
    """Send a WhatsApp message (a code by the authentication template, any other text by the notice one)."""
    if message.channel != "whatsapp" or not config.PHONE_NUMBER_ID.value():
        return None
    return sending.send(message)


@hookimpl
def ragem_blueprints():
    """The webhook Meta calls (verification and receipts)."""
    return [webhook.blp]
