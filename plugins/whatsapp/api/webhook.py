"""``/api/v1/whatsapp/webhook``: the Cloud API's verification (GET) and its receipts (POST)."""
from __future__ import annotations

import json

from flask import Response, request

from ragem import toolkit

from plugins.whatsapp.schemas.webhook import ReceiptsAppliedSchema
from plugins.whatsapp.services import receipts

blp = toolkit.Blueprint("whatsapp_webhook", __name__, description="WhatsApp Business Cloud API webhook")

BAD_SIGNATURE = {"id": "Tanda tangan webhook tidak sah.", "en": "The webhook signature is not valid."}
BAD_VERIFICATION = {"id": "Token verifikasi webhook salah.", "en": "The webhook verify token is wrong."}
NOT_JSON = {"id": "Isi permintaan harus JSON.", "en": "The request body must be JSON."}


@blp.route("/webhook", methods=["GET"])
@blp.response(200, {"type": "string", "description": "the hub.challenge Meta sent"}, content_type="text/plain")
@blp.alt_response(403, response="FORBIDDEN", description="invalid_verify_token")
def verify_whatsapp_webhook():
    """Meta subscribes the webhook: echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
    answer = receipts.challenge_answer(request.args.get("hub.mode"), request.args.get("hub.verify_token"),
                                       request.args.get("hub.challenge"))
    if answer is None:
        raise toolkit.Forbidden("invalid_verify_token", BAD_VERIFICATION)
    return Response(answer, content_type="text/plain")


@blp.route("/webhook", methods=["POST"])
@blp.response(200, ReceiptsAppliedSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="invalid_signature: X-Hub-Signature-256 does not match")
def receive_whatsapp_receipts():
    """Delivery receipts (``statuses``) signed with the app secret; the same receipt twice changes nothing."""
    raw = request.get_data(cache=True)
    if not receipts.signature_valid(raw, request.headers.get("X-Hub-Signature-256")):
        raise toolkit.Unauthorized("invalid_signature", BAD_SIGNATURE)
    try:
        payload = json.loads(raw)
    except ValueError:
        raise toolkit.ValidationError("invalid_json", NOT_JSON) from None
    return {"applied": receipts.apply(payload)}
