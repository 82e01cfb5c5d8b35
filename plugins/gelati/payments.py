"""How a buyer pays, behind one small interface so a payment gateway can be added later.

There is **no payment gateway**: RAGEM never takes money. A buyer pays the seller in cash at
pick-up or delivery, or by bank transfer to the shop's account; an order is marked paid only when
the seller says the money arrived. A gateway (QRIS, virtual accounts) would be a new
``PaymentMethod`` registered here whose confirmation comes from the gateway's signed callback.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaymentMethod:
    """A way to pay.

    :param code: stable name used in the API (``cod``).
    :param name: ``{"id", "en"}`` shown to buyers.
    :param first_status: the order's status after checkout: ``awaiting_confirmation`` (the seller
        confirms the order, money changes hands at the end) or ``awaiting_payment`` (the seller
        confirms the money arrived before anything else).
    :param needs_bank_account: only shops that gave a bank account offer it.
    """

    code: str
    name: dict
    first_status: str
    needs_bank_account: bool = False


_REGISTRY: dict[str, PaymentMethod] = {}


def register(method: PaymentMethod) -> PaymentMethod:
    """Add a payment method (codes are unique); returns it."""
    if method.code in _REGISTRY:
        raise ValueError(f"payment method {method.code!r} registered twice")
    _REGISTRY[method.code] = method
    return method


def get(code: str) -> PaymentMethod | None:
    """The payment method with ``code``, or ``None``."""
    return _REGISTRY.get(code)


def codes() -> tuple[str, ...]:
    """Every registered code, in registration order."""
    return tuple(_REGISTRY)


def all_methods() -> list[PaymentMethod]:
    """Every registered payment method."""
    return list(_REGISTRY.values())


def offered_by(shop) -> list[str]:
    """The codes ``shop`` accepts: cash always, a transfer when it gave a bank account."""
    return [m.code for m in _REGISTRY.values() if not m.needs_bank_account or shop.bank_account_ciphertext]


register(PaymentMethod("cod", {"id": "Bayar tunai saat ambil atau antar", "en": "Cash on pick-up or delivery"},
                       "awaiting_confirmation"))
register(PaymentMethod("bank_transfer", {"id": "Transfer bank, dikonfirmasi penjual",
                                         "en": "Bank transfer, confirmed by the seller"},
                       "awaiting_payment", needs_bank_account=True))

#: Said plainly in the API answer listing the methods.
NO_GATEWAY = {
    "id": "GELATI belum memakai gerbang pembayaran: bayar tunai ke penjual atau transfer ke rekening toko. "
          "Pesanan dianggap lunas hanya setelah penjual mengonfirmasi uangnya diterima.",
    "en": "GELATI has no payment gateway yet: pay the seller in cash or by transfer to the shop's account. "
          "An order counts as paid only once the seller confirms the money arrived.",
}
