"""``/api/v1/sms/receipts`` (the ``http`` profile) and ``/api/v1/sms/twilio/status`` (Twilio)."""
from __future__ import annotations

from flask import request

from ragem import toolkit

from plugins.sms.schemas.receipts import ReceiptAppliedSchema
from plugins.sms.services import receipts, twilio

blp = toolkit.Blueprint("sms_receipts", __name__, description="SMS delivery receipts")

BAD_TOKEN = {"id": "Token tanda terima salah.", "en": "The receipt token is wrong."}
BAD_SIGNATURE = {"id": "Tanda tangan Twilio tidak sah.", "en": "The Twilio signature is not valid."}


def _params() -> dict[str, str]:
    """The receipt's parameters, wherever the gateway put them: query, form or JSON object."""
    found: dict[str, str] = dict(request.args.items())
    if request.form:
        found.update(request.form.items())
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        found.update({str(k): str(v) for k, v in body.items() if isinstance(v, (str, int, float))})
    return found


@blp.route("/receipts", methods=["GET", "POST"])
@toolkit.accepts_media_types("application/x-www-form-urlencoded")
@blp.response(200, ReceiptAppliedSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="invalid_receipt_token")
def receive_sms_receipt():
    """A delivery receipt from the HTTP SMS gateway, with ``RAGEM_SMS_RECEIPT_TOKEN`` in the
    ``X-Receipt-Token`` header or the ``token`` parameter; the same receipt twice changes nothing."""
    params = _params()
    if not receipts.token_valid(request.headers.get("X-Receipt-Token") or params.pop("token", None)):
        raise toolkit.Unauthorized("invalid_receipt_token", BAD_TOKEN)
    return {"applied": receipts.apply(params)}


@blp.route("/twilio/status", methods=["POST"])
@toolkit.accepts_media_types("application/x-www-form-urlencoded")
@blp.response(200, ReceiptAppliedSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="invalid_signature: X-Twilio-Signature does not match")
def receive_twilio_status():
    """Twilio's status callback, signed with the Auth Token (``X-Twilio-Signature``)."""
    params = {name: request.form.getlist(name) for name in request.form}
    if not twilio.signature_valid(params, request.headers.get("X-Twilio-Signature")):
        raise toolkit.Unauthorized("invalid_signature", BAD_SIGNATURE)
    return {"applied": twilio.apply(params)}
