"""The fixtures of ragem.testing, and a WhatsApp gateway pointed at a loopback Cloud API."""
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

PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAtest-token-never-logged"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"


@pytest.fixture
def graph():
    """A loopback server standing in for graph.facebook.com."""
    with loopback_server() as server:
        yield server


@pytest.fixture
def wa_app(make_app, graph):
    """An app whose WhatsApp gateway talks to ``graph``."""
    return make_app(WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN=TOKEN,
                    WHATSAPP_APP_SECRET=APP_SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
                    WHATSAPP_API_URL=graph.url, WHATSAPP_API_VERSION="v21.0")
