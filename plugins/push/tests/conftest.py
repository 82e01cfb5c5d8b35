"""The fixtures of ragem.testing, a throwaway service account and a loopback Google (token + FCM)."""
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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

PROJECT = "ragem-serang-test"


@pytest.fixture(scope="session")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def google():
    """A loopback server answering both the OAuth token endpoint and FCM."""
    with loopback_server() as server:
        yield server


@pytest.fixture
def service_account(signing_key, google):
    pem = signing_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": PROJECT, "private_key_id": "key-1", "private_key": pem,
            "client_email": f"fcm-sender@{PROJECT}.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token"}


@pytest.fixture
def push_app(make_app, google, service_account):
    return make_app(PUSH_FCM_SERVICE_ACCOUNT=json.dumps(service_account), PUSH_FCM_TOKEN_URL=f"{google.url}/token",
                    PUSH_FCM_API_URL=google.url)
