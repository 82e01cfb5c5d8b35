"""The fixtures of ragem.testing, and loopback servers standing in for the SMS providers."""
import pytest

from ragem.testing import (  # noqa: F401
    app,
    client,
    db_session,
    fresh_database_url,
    login_as,
    make_app,
    ragem_database_url,
    ragem_instance_path,
    ragem_settings,
)
from ragem.testing import loopback_server

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "twilio-auth-token-for-tests"
CALLBACK = "https://ragem.serangkota.go.id/api/v1/sms/twilio/status"
RECEIPT_TOKEN = "receipt-secret"


@pytest.fixture
def provider():
    """A loopback server standing in for the SMS provider."""
    with loopback_server() as server:
        yield server


@pytest.fixture
def twilio_settings(provider):
    """Settings of the Twilio profile pointed at ``provider``."""
    return dict(SMS_PROFILE="twilio", SMS_TWILIO_ACCOUNT_SID=ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                SMS_FROM="+15005550006", SMS_TWILIO_API_URL=provider.url, SMS_STATUS_CALLBACK_URL=CALLBACK)
