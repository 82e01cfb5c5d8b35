"""A shop's life: a citizen applies, the UMKM office verifies or rejects it (with a reason), may
suspend and reinstate it; the owner edits it and sets its delivery options. Every step is audited
and tells the other side."""
from __future__ import annotations

from sqlalchemy import select, update

from ragem import toolkit

from plugins.gelati import access, settings
from plugins.gelati.models import DeliveryFee, Product, Shop

SLUG = "gelati"

MSG_HAS_SHOP = {"id": "Anda sudah memiliki toko. Satu akun membuka satu toko.",
                "en": "You already have a shop. One account opens one shop."}
MSG_NO_SHOP = {"id": "Anda belum memiliki toko.", "en": "You have no shop yet."}
MSG_KELURAHAN = {"id": "Kelurahan tidak dikenal di Kota Serang.", "en": "Unknown kelurahan of Kota Serang."}
MSG_KECAMATAN = {"id": "Kecamatan tidak dikenal di Kota Serang.", "en": "Unknown kecamatan of Kota Serang."}
MSG_SHOP_STATE = {"id": "Toko dalam status '{status}' tidak dapat di-{action}.",
                  "en": "A shop in status '{status}' cannot be {action}."}
MSG_SHOP_CLOSED = {"id": "Toko ini sudah ditutup.", "en": "This shop is closed."}

#: Which statuses each office action moves a shop from, and to.
TRANSITIONS = {
    "verify": (("applied",), "verified"),
    "reject": (("applied",), "rejected"),
    "suspend": (("verified",), "suspended"),
    "reinstate": (("suspended",), "verified"),
}
NOTICES = {
    "verified": ({"id": "Toko Anda terverifikasi", "en": "Your shop is verified"},
                 {"id": "Toko {name} sudah dapat berjualan di GELATI.", "en": "{name} can now sell on GELATI."}),
    "rejected": ({"id": "Pengajuan toko ditolak", "en": "Shop application rejected"},
                 {"id": "Alasan: {reason}. Perbaiki data toko lalu ajukan kembali.",
                  "en": "Reason: {reason}. Correct the shop's details and apply again."}),
    "suspended": ({"id": "Toko Anda dibekukan", "en": "Your shop is suspended"},
                  {"id": "Alasan: {reason}. Hubungi Dinas Koperasi dan UMKM.",
                   "en": "Reason: {reason}. Contact the UMKM office."}),
}


def kecamatan_of(kelurahan_code: str, field: str = "kelurahan_code") -> str:
    """The kecamatan of a kelurahan of Kota Serang; 422 for an unknown code."""
    region = toolkit.region(kelurahan_code)
    if region is None or region.level != "kelurahan":
        raise toolkit.ValidationError("unknown_kelurahan", MSG_KELURAHAN, details={field: kelurahan_code})
    return region.parent_code


def check_kecamatan(code: str, field: str = "kecamatan_code") -> str:
    """``code`` when it is a kecamatan of Kota Serang; 422 otherwise."""
    region = toolkit.region(code)
    if region is None or region.level != "kecamatan":
        raise toolkit.ValidationError("unknown_kecamatan", MSG_KECAMATAN, details={field: code})
    return code


def shop_of(user: toolkit.Account) -> Shop | None:
    """The citizen's shop (not closed), or ``None``."""
    return toolkit.db.session.scalar(
        select(Shop).where(Shop.owner_id == user.id, Shop.status != "closed").order_by(Shop.id.desc()).limit(1))


def own_shop(user: toolkit.Account) -> Shop:
    """The citizen's shop; 404 ``no_shop`` when they have none."""
    shop = shop_of(user)
    if shop is None:
        raise toolkit.NotFound("no_shop", MSG_NO_SHOP)
    return shop


def load(shop_id: int) -> Shop | None:
    """The shop with ``shop_id`` or ``None`` (ids outside the column's range included)."""
    return toolkit.db.session.get(Shop, shop_id) if 0 < shop_id < 2**31 else None


def apply(user: toolkit.Account, **fields) -> Shop:
    """A citizen applies to open a shop; it waits for the UMKM office (status ``applied``). The
    office's officers are told. 409 ``shop_exists`` when the citizen already has one."""
    if shop_of(user) is not None:
        raise toolkit.Conflict("shop_exists", MSG_HAS_SHOP)
    now = toolkit.utcnow()
    fees = check_fees(fields.pop("delivery_fees", None) or [])
    shop = Shop(owner_id=user.id, status="applied", created_at=now, changed_at=now,
                kecamatan_code=kecamatan_of(fields["kelurahan_code"]), **fields)
    toolkit.db.session.add(shop)
    toolkit.db.session.flush()
    _set_fees(shop, fees)
    toolkit.audit("gelati.shop.apply", "gelati_shop", str(shop.id), after={"name": shop.name}, actor=user)
    for opd in settings.UMKM_OPDS.value():
        for officer_id in toolkit.account_ids_with_role("officer", opd=opd):
            toolkit.notify(officer_id, kind="gelati.shop.applied", service=SLUG,
                           title={"id": "Pengajuan toko baru", "en": "New shop application"},
                           body={"id": f"{shop.name} menunggu verifikasi.", "en": f"{shop.name} awaits verification."},
                           data={"shop_id": shop.id})
    toolkit.db.session.commit()
    return shop


def update_own(user: toolkit.Account, **fields) -> Shop:
    """The owner edits their shop. A rejected application edited this way is submitted again
    (``applied``). Delivery fees, when given, replace the shop's list."""
    shop = own_shop(user)
    fees = fields.pop("delivery_fees", None)
    fees = None if fees is None else check_fees(fees)
    if "kelurahan_code" in fields:
        shop.kecamatan_code = kecamatan_of(fields["kelurahan_code"])
    for name, value in fields.items():
        setattr(shop, name, value)
    if fees is not None:
        _set_fees(shop, fees)
    if "kelurahan_code" in fields:
        # Products carry their shop's kecamatan for the search filter.
        toolkit.db.session.execute(
            update(Product).where(Product.shop_id == shop.id).values(kecamatan_code=shop.kecamatan_code))
    resubmitted = shop.status == "rejected"
    if resubmitted:
        shop.status, shop.status_reason = "applied", None
    shop.changed_at = toolkit.utcnow()
    toolkit.audit("gelati.shop.update", "gelati_shop", str(shop.id),
                  after={"fields": sorted(fields) + (["delivery_fees"] if fees is not None else []),
                         "resubmitted": resubmitted}, actor=user)
    toolkit.db.session.commit()
    return shop


def check_fees(fees: list[dict]) -> dict[str, int]:
    """``{kecamatan: fee}`` from the request's list, each a kecamatan of Kota Serang (422 otherwise);
    checked before anything changes."""
    return {check_kecamatan(entry["kecamatan_code"], "delivery_fees"): entry["fee"] for entry in fees}


def _set_fees(shop: Shop, fees: dict[str, int]) -> None:
    """Replace the shop's delivery fees (one per kecamatan)."""
    shop.delivery_fees.clear()
    toolkit.db.session.flush()
    shop.delivery_fees.extend(DeliveryFee(kecamatan_code=code, fee=fee) for code, fee in sorted(fees.items()))


def review(officer: toolkit.Account, shop_id: int, action: str, reason: str | None = None) -> Shop:
    """The UMKM office verifies, rejects, suspends or reinstates a shop; 409 when its status does not
    allow it. Audited; the owner is told (with the reason)."""
    shop = load(shop_id)
    if shop is None:
        raise toolkit.NotFound(details={"shop_id": shop_id})
    sources, target = TRANSITIONS[action]
    if shop.status not in sources:
        raise toolkit.Conflict("invalid_shop_transition",
                               {lang: text.format(status=shop.status, action=action)
                                for lang, text in MSG_SHOP_STATE.items()},
                               details={"status": shop.status, "action": action})
    before = shop.status
    now = toolkit.utcnow()
    shop.status, shop.status_reason = target, reason
    shop.reviewed_by, shop.reviewed_at, shop.changed_at = officer.id, now, now
    toolkit.audit(f"gelati.shop.{action}", "gelati_shop", str(shop.id),
                  before={"status": before}, after={"status": target, "reason": reason}, actor=officer)
    notice = NOTICES.get(target)
    if notice and shop.owner_id:
        title, body = notice
        toolkit.notify(shop.owner_id, kind=f"gelati.shop.{target}", service=SLUG, title=title,
                       body={lang: text.format(name=shop.name, reason=reason or "-") for lang, text in body.items()},
                       data={"shop_id": shop.id})
    toolkit.db.session.commit()
    return shop


def office_list(*, status: list[str] | None, limit: int, cursor: str | None):
    """Shops for the UMKM office, oldest application first, optionally by status."""
    stmt = select(Shop)
    if status:
        stmt = stmt.where(Shop.status.in_(status))
    return toolkit.paginate(toolkit.db.session, stmt, [Shop.created_at, Shop.id], limit=limit, cursor=cursor,
                            descending=False)


def public_list(*, kecamatan: str | None, category: str | None, limit: int, cursor: str | None):
    """Verified shops, newest first."""
    stmt = select(Shop).where(Shop.status == "verified")
    if kecamatan:
        stmt = stmt.where(Shop.kecamatan_code == kecamatan)
    if category:
        stmt = stmt.where(Shop.category == category)
    return toolkit.paginate(toolkit.db.session, stmt, [Shop.created_at, Shop.id], limit=limit, cursor=cursor)


def visible(shop_id: int, user: toolkit.Account | None) -> Shop:
    """A shop's public page: verified shops for everyone; others only for their owner and the UMKM
    office (404 for anyone else)."""
    shop = load(shop_id)
    if shop is None or not (shop.status == "verified" or (user is not None and shop.owner_id == user.id)
                            or access.is_umkm_officer(user)):
        raise toolkit.NotFound(details={"shop_id": shop_id})
    return shop
