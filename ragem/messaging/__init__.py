"""Message delivery: the gateways plugins declare, the citizen's preferred channel, the record of
every attempt and its receipts, and the SMS fallback of one-time codes sent by WhatsApp.

Production refuses to start without an SMS or WhatsApp gateway (nobody could receive a one-time
code) unless ``RAGEM_MESSAGES_WITHOUT_CODES=true`` declares that on purpose.
"""
from ragem.config import ConfigError
from ragem.jobs.scheduler import register_core_job
from ragem.messaging import models  # noqa: F401  (registers the tables)

NO_GATEWAY = (
    "RAGEM_ENV=production and no plugin delivers SMS or WhatsApp, so no one-time code could reach a citizen "
    "(registration, phone changes and password resets need one). Configure a gateway: RAGEM_SMS_URL (any HTTP "
    "SMS gateway) or RAGEM_SMS_TWILIO_ACCOUNT_SID, RAGEM_SMS_TWILIO_AUTH_TOKEN and RAGEM_SMS_FROM, or "
    "RAGEM_WHATSAPP_PHONE_NUMBER_ID and RAGEM_WHATSAPP_ACCESS_TOKEN (docs/messaging.md); or declare "
    "RAGEM_MESSAGES_WITHOUT_CODES=true to run without one-time codes."
)


def init_app(app, api) -> None:
    """Collect the gateways, refuse production without a way to send codes, mount the admin API and
    schedule the SMS fallback."""
    from ragem.messaging import fallback, gateways
    from ragem.messaging.views import blp

    gateways.collect(app)
    settings = app.config["RAGEM"]
    if settings["ENV"] == "production" and not settings["MESSAGES_WITHOUT_CODES"] and not gateways.can_send_codes(app):
        raise ConfigError(NO_GATEWAY)
    api.register_blueprint(blp)
    register_core_job(app, fallback.JOB)  # core.message-fallback
