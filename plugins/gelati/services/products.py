"""A shop's products: listed by the owner (draft, active, archived), with up to eight photos; the
public sees active products of verified shops."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.gelati import access
from plugins.gelati.models import MAX_PHOTOS, THUMBNAIL_PX, Product, ProductPhoto
from plugins.gelati.services import shops

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MSG_TOO_MANY_PHOTOS = {"id": f"Satu produk paling banyak {MAX_PHOTOS} foto.",
                       "en": f"A product has at most {MAX_PHOTOS} photos."}
MSG_SHOP_CLOSED = {"id": "Toko ini tidak dapat mengubah produk (dibekukan atau ditutup).",
                   "en": "This shop cannot change products (suspended or closed)."}


def load(product_id: int) -> Product | None:
    """The product with ``product_id`` or ``None``."""
    return toolkit.db.session.get(Product, product_id) if 0 < product_id < 2**31 else None


def is_public(product: Product) -> bool:
    """Whether buyers may see and buy ``product``: active, and its shop verified."""
    return product.status == "active" and product.shop.status == "verified"


def visible(product_id: int, user: toolkit.Account | None) -> Product:
    """A product page: public products for all; others for their shop's owner and the UMKM office."""
    product = load(product_id)
    if product is None or not (is_public(product) or (user is not None and product.shop.owner_id == user.id)
                               or access.is_umkm_officer(user)):
        raise toolkit.NotFound(details={"product_id": product_id})
    return product


def own_product(user: toolkit.Account, product_id: int) -> Product:
    """A product of the caller's own shop; 404 for any other."""
    shop = shops.own_shop(user)
    product = load(product_id)
    if product is None or product.shop_id != shop.id:
        raise toolkit.NotFound(details={"product_id": product_id})
    return product


def _writable_shop(user: toolkit.Account):
    shop = shops.own_shop(user)
    if shop.status in ("suspended", "closed"):
        raise toolkit.Conflict("shop_not_selling", MSG_SHOP_CLOSED, details={"status": shop.status})
    return shop


def create(user: toolkit.Account, **fields) -> Product:
    """The owner lists a product (a draft unless ``status`` says ``active``)."""
    shop = _writable_shop(user)
    now = toolkit.utcnow()
    product = Product(shop_id=shop.id, kecamatan_code=shop.kecamatan_code, created_at=now, changed_at=now, **fields)
    toolkit.db.session.add(product)
    toolkit.db.session.flush()
    toolkit.audit("gelati.product.create", "gelati_product", str(product.id),
                  after={"price": product.price, "stock": product.stock, "status": product.status}, actor=user)
    toolkit.db.session.commit()
    return product


def update(user: toolkit.Account, product_id: int, **fields) -> Product:
    """The owner changes a product: name, description, price, stock, status... Orders already
    placed keep their own snapshot of name and price."""
    _writable_shop(user)
    product = own_product(user, product_id)
    before = {name: getattr(product, name) for name in fields if name in ("price", "stock", "status")}
    for name, value in fields.items():
        setattr(product, name, value)
    product.changed_at = toolkit.utcnow()
    toolkit.audit("gelati.product.update", "gelati_product", str(product.id), before=before,
                  after={name: fields[name] for name in before}, actor=user)
    toolkit.db.session.commit()
    return product


def own_list(user: toolkit.Account, *, status: list[str] | None, limit: int, cursor: str | None):
    """The owner's products, newest first, every status unless ``status`` narrows it."""
    shop = shops.own_shop(user)
    stmt = select(Product).where(Product.shop_id == shop.id)
    if status:
        stmt = stmt.where(Product.status.in_(status))
    return toolkit.paginate(toolkit.db.session, stmt, [Product.created_at, Product.id], limit=limit, cursor=cursor)


def add_photo(user: toolkit.Account, product_id: int, upload) -> ProductPhoto:
    """Store a photo of the owner's product (checked by its bytes, EXIF removed) and its thumbnail;
    at most eight."""
    product = own_product(user, product_id)
    if len(product.photos) >= MAX_PHOTOS:
        raise toolkit.Conflict("too_many_photos", MSG_TOO_MANY_PHOTOS, details={"max": MAX_PHOTOS})
    stored = toolkit.save_upload(upload, owner_id=user.id, purpose="gelati.product", allowed=PHOTO_TYPES)
    thumbnail = toolkit.save_thumbnail(stored, max_px=THUMBNAIL_PX, purpose="gelati.thumbnail")
    photo = ProductPhoto(product=product, file_id=stored.id, thumbnail_file_id=thumbnail.id,
                         content_type=stored.content_type, created_at=toolkit.utcnow())
    toolkit.db.session.add(photo)
    toolkit.db.session.commit()
    return photo


def delete_photo(user: toolkit.Account, product_id: int, photo_id: int) -> None:
    """Remove a photo of the owner's product (and its stored files: picture and thumbnail)."""
    product = own_product(user, product_id)
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise toolkit.NotFound(details={"photo_id": photo_id})
    product.photos.remove(photo)
    for file_id in photo.file_ids():
        toolkit.delete_file(file_id)
    toolkit.db.session.commit()
