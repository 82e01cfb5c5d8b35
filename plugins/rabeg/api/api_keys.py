"""API keys of Open311 clients: Diskominfo admins issue, list and revoke them."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import ADMIN
from plugins.rabeg.open311 import api_keys
from plugins.rabeg.schemas.api_keys import ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyListSchema, ApiKeySchema

blp = toolkit.Blueprint("rabeg_api_keys", __name__, description="RABEG: API keys of Open311 clients (admins)")


@blp.route("/api-keys", methods=["POST"])
@toolkit.permission_required(ADMIN)
@blp.arguments(ApiKeyCreateSchema)
@blp.response(201, ApiKeyCreatedSchema)
def create_api_key(body):
    """Issue an Open311 API key to a third-party app; the key is shown in this answer only."""
    row, key = api_keys.create_key(body["name"], actor=toolkit.current_user())
    # The key itself is stored nowhere (only its hash): it rides on the new row for this one answer.
    row.key = key
    return row


@blp.route("/api-keys")
@toolkit.permission_required(ADMIN)
@blp.response(200, ApiKeyListSchema)
def list_api_keys():
    """Every key issued (name, prefix, when created, last used and revoked), never the key itself."""
    return {"items": api_keys.list_keys()}


@blp.route("/api-keys/<int:key_id>", methods=["DELETE"])
@toolkit.permission_required(ADMIN)
@blp.response(200, ApiKeySchema)
def revoke_api_key(key_id):
    """Revoke a key (audited): its app can no longer file requests. Revoking twice changes nothing."""
    return api_keys.revoke_key(key_id, actor=toolkit.current_user())
