"""Products: the public search and pages, and the shop owner's listing and photos."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import SELL
from plugins.gelati.schemas.products import (
    OwnProductArgsSchema, ProductPhotoSchema, ProductPhotoUploadSchema, ProductPageSchema, ProductSchema, ProductSearchArgsSchema,
    ProductUpdateSchema, ProductWriteSchema,
)
from plugins.gelati.services import products, search

blp = toolkit.Blueprint("gelati_products", __name__, description="GELATI: products and search")


@blp.route("/products")
@blp.arguments(ProductSearchArgsSchema, location="query")
@blp.response(200, ProductPageSchema)
def search_products(args):
    """Search active products of verified shops: `q` (full text over names and descriptions),
    `category`, `kecamatan`, `shop`, `min_price`, `max_price`; `sort` relevance, newest, price_asc
    or price_desc; keyset pages (`limit`, `cursor`)."""
    items, next_cursor = search.search(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/products/<int:product_id>")
@blp.response(200, ProductSchema)
@blp.alt_response(404, response="NOT_FOUND", description="no such product on sale")
def get_product(product_id):
    """A product page (drafts and archived products only for their shop)."""
    return products.visible(product_id, toolkit.current_user())


@blp.route("/my-shop/products")
@toolkit.permission_required(SELL)
@blp.arguments(OwnProductArgsSchema, location="query")
@blp.response(200, ProductPageSchema)
def list_my_products(args):
    """The shop's products in every status, newest first."""
    items, next_cursor = products.own_list(toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/my-shop/products", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.arguments(ProductWriteSchema)
@blp.response(201, ProductSchema)
def create_product(body):
    """List a product: price in whole rupiah, stock a whole number (a draft unless `active`)."""
    return products.create(toolkit.current_user(), **body)


@blp.route("/my-shop/products/<int:product_id>", methods=["PATCH"])
@toolkit.permission_required(SELL)
@blp.arguments(ProductUpdateSchema)
@blp.response(200, ProductSchema)
def update_product(body, product_id):
    """Change a product (orders already placed keep their own name and price)."""
    return products.update(toolkit.current_user(), product_id, **body)


@blp.route("/my-shop/products/<int:product_id>/photos", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.arguments(ProductPhotoUploadSchema, location="multipart")
@blp.response(201, ProductPhotoSchema)
def upload_product_photo(body, product_id):
    """Add a photo (JPEG, PNG or WebP; EXIF removed; at most eight: 409 `too_many_photos`)."""
    return products.add_photo(toolkit.current_user(), product_id, body["file"])


@blp.route("/my-shop/products/<int:product_id>/photos/<int:photo_id>", methods=["DELETE"])
@toolkit.permission_required(SELL)
@blp.response(204)
def delete_product_photo(product_id, photo_id):
    """Remove a photo."""
    products.delete_photo(toolkit.current_user(), product_id, photo_id)
