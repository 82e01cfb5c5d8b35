"""Products: what a shop sends, what buyers see, the search's arguments, photos."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.gelati.models import CATEGORIES, PRODUCT_STATES, THUMBNAIL_PX
from plugins.gelati.schemas.fields import MAX_STOCK, NAME_TEXT, REGION_CODE, WholeNumber, all_optional, rupiah

SORTS = ("relevance", "newest", "price_asc", "price_desc")
#: How long a photo link in an answer works.
PHOTO_LINK_SECONDS = 3600


class ProductWriteSchema(toolkit.BaseSchema):
    """``POST /my-shop/products``: list a product (``PATCH`` takes any of these fields)."""

    name = fields.String(required=True, validate=NAME_TEXT)
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    price = rupiah(required=True)
    stock = WholeNumber(required=True, validate=validate.Range(min=0, max=MAX_STOCK))
    weight_grams = WholeNumber(load_default=0, validate=validate.Range(min=0, max=100_000))
    status = fields.String(load_default="draft", validate=validate.OneOf(PRODUCT_STATES))


ProductUpdateSchema = all_optional(ProductWriteSchema, "ProductUpdateSchema",
                                   "``PATCH /my-shop/products/{id}``: any field of the product.")


class ProductPhotoSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A product photo."""

    computed = {"url": lambda photo: toolkit.signed_url(photo.file_id, PHOTO_LINK_SECONDS),
                "thumbnail_url": lambda photo: (toolkit.signed_url(photo.thumbnail_file_id, PHOTO_LINK_SECONDS)
                                                if photo.thumbnail_file_id else None)}

    id = fields.Integer(required=True)
    content_type = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "signed link, valid an hour"})
    thumbnail_url = fields.String(required=True, allow_none=True, metadata={
        "description": f"signed link to a JPEG of at most {THUMBNAIL_PX} px on its longer side, valid an hour "
                       "(null for a photo stored before thumbnails were made)"})


class ProductSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A product as buyers see it."""

    computed = {"shop_name": lambda product: product.shop.name}

    id = fields.Integer(required=True)
    shop_id = fields.Integer(required=True)
    shop_name = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True)
    kecamatan_code = fields.String(required=True)
    price = fields.Integer(required=True, metadata={"description": "whole rupiah"})
    stock = fields.Integer(required=True)
    weight_grams = fields.Integer(required=True)
    status = fields.String(required=True)
    photos = fields.List(fields.Nested(ProductPhotoSchema), required=True)
    created_at = toolkit.UtcDateTime(required=True)


class ProductSearchArgsSchema(toolkit.PageArgsSchema):
    """``GET /products``: full-text search with filters and a sort."""

    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "words to find in names and descriptions (all of them)"})
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    kecamatan = fields.String(load_default=None, validate=REGION_CODE)
    shop = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    min_price = fields.Integer(load_default=None, validate=validate.Range(min=0, max=1_000_000_000))
    max_price = fields.Integer(load_default=None, validate=validate.Range(min=0, max=1_000_000_000))
    sort = fields.String(load_default=None, validate=validate.OneOf(SORTS),
                         metadata={"description": "relevance (the default with q), newest (the default without), "
                                                  "price_asc, price_desc"})


class OwnProductArgsSchema(toolkit.PageArgsSchema):
    """``GET /my-shop/products``: the shop's products, optionally by status."""

    status = toolkit.CommaSeparated(PRODUCT_STATES, load_default=None)



class ProductPhotoUploadSchema(toolkit.BaseSchema):
    """``POST /my-shop/products/{id}/photos``: one JPEG, PNG or WebP in the multipart field ``file``."""

    file = toolkit.FilePart(required=True, metadata={"description": "JPEG, PNG or WebP, judged by its bytes; EXIF removed"})


ProductPageSchema = toolkit.page_schema(ProductSchema, "GelatiProductPage")
