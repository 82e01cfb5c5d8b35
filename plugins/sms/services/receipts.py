"""Receipts from the ``http`` profile's gateway: a shared token, then the id and the status read
from the parameters the settings name, mapped by ``RAGEM_SMS_RECEIPT_STATUSES``."""
from __future__ import annotations

import hmac
from typing import Mapping

from ragem import toolkit

from plugins.sms import settings as config


def token_valid(supplied: str | None) -> bool:
    """Whether the receipt carries ``RAGEM_SMS_RECEIPT_TOKEN`` (no token configured: none is valid)."""
    expected = config.RECEIPT_TOKEN.value()
    return bool(expected and supplied) and hmac.compare_digest(expected.encode(), supplied.encode())


def apply(params: Mapping[str, str]) -> bool:
    """Apply one receipt; whether it named a message RAGEM sent with a status it understands."""
    message_id = str(params.get(config.RECEIPT_ID_PARAM.value()) or "")
    word = str(params.get(config.RECEIPT_STATUS_PARAM.value()) or "")
    mapping = {key.upper(): value for key, value in (config.RECEIPT_STATUSES.value() or {}).items()}
    status = mapping.get(word.upper())
    if not message_id or status not in ("sent", "delivered", "read", "failed"):
        return False
    return toolkit.record_delivery_receipt(config.HTTP, message_id[:128], status,
                                           error=f"gateway status {word}"[:300] if status == "failed" else None)
