"""Hook implementations of the SMS gateway (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.sms import settings as config
from plugins.sms.api import receipts
from plugins.sms.services import http_gateway, twilio

SLUG = "sms"
VERSION = "0.1.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the gateway for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG, name={"id": "Gerbang SMS", "en": "SMS gateway"},
        description={"id": "Mengirim kode dan pemberitahuan lewat SMS.", "en": "Sends codes and notices by SMS."},
        opd="DISKOMINFO", version=VERSION, icon="message",
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse a malformed ``RAGEM_SMS_*`` value, or a profile switched on without its credentials."""
    return config.problems(settings)


@hookimpl
def ragem_message_gateways(settings):
    """The SMS channel, once the http profile's URL or Twilio's Account SID is set."""
    provider = config.provider(settings)
    return [toolkit.MessageGateway(provider, "sms")] if provider else []


@hookimpl
def ragem_deliver_message(message):
    """Send an SMS through the configured profile."""
    if message.channel != "sms":
        return None
    if config.PROFILE.value() == "twilio" and config.TWILIO_ACCOUNT_SID.value():
        return twilio.send(message)
    if config.URL.value():
        return http_gateway.send(message)
    return None


@hookimpl
def ragem_blueprints():
    """The receipt endpoints the gateways call."""
    return [receipts.blp]
