"""Product search: full text over names and descriptions, filters, three sorts, keyset pages.

Full text uses the database's own index (see ``search_index.py``): FTS5 with BM25 ranking on
SQLite, ``tsvector @@ tsquery`` with ``ts_rank`` on PostgreSQL. The words typed are reduced to
letters and digits and all must match; the last one also matches as a prefix (``bati`` finds
batik), so a search works while the buyer is still typing. Only active products of verified shops
are found.

Pages are keyset pages: ``newest`` and the price sorts go through ``toolkit.paginate``; relevance
is a score computed per query, not a column, so its cursor holds ``[score, id]`` itself.
"""
from __future__ import annotations

import base64
import binascii
import json
import re

from sqlalchemy import Float, and_, cast, column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.gelati.models import Product, Shop

MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def words(query: str | None) -> list[str]:
    """The searchable words of ``query`` (letters and digits, lower case, at most eight)."""
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_WORDS]


_FTS = table("gelati_product_fts", column("rowid"))
_SIMPLE = literal_column("'simple'::regconfig")


def _match(stmt, dialect: str, terms: list[str]):
    """``(stmt, score)``: ``stmt`` narrowed to the full-text match of ``terms`` on ``dialect``, and the
    expression scoring a product's relevance (higher is better)."""
    if dialect == "postgresql":
        query = func.to_tsquery(_SIMPLE, " & ".join(terms[:-1] + [terms[-1] + ":*"]))
        vector = literal_column("gelati_product.search_vector")
        # ts_rank is a float4: as double precision it survives the cursor's round trip exactly.
        return stmt.where(vector.op("@@")(query)), cast(func.ts_rank(vector, query), Float(precision=53))
    # FTS5: each word quoted (no operator can be smuggled in), the last one a prefix.
    query = " ".join([f'"{t}"' for t in terms[:-1]] + [f'"{terms[-1]}"*'])
    stmt = stmt.join(_FTS, _FTS.c.rowid == Product.id).where(
        text("gelati_product_fts MATCH :gelati_q").bindparams(gelati_q=query))
    return stmt, literal_column("-bm25(gelati_product_fts)")


def _decode(token: str) -> tuple[float, int]:
    try:
        score, product_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not isinstance(product_id, int) \
                or isinstance(product_id, bool) or not 0 < product_id < 2**31:
            raise ValueError
        return float(score), product_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise toolkit.ApiError("invalid_cursor", status=400, details={"cursor": token[:64]}) from None


def _encode(score: float, product_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([score, product_id]).encode()).decode().rstrip("=")


def search(*, q: str | None = None, category: str | None = None, kecamatan: str | None = None,
           shop: int | None = None, min_price: int | None = None, max_price: int | None = None,
           sort: str | None = None, limit: int = 20, cursor: str | None = None) -> tuple[list[Product], str | None]:
    """Public products matching the search, one page: ``(products, next_cursor)``."""
    session = toolkit.db.session
    terms = words(q)
    sort = sort or ("relevance" if terms else "newest")
    if sort == "relevance" and not terms:
        sort = "newest"
    # The verified shops are looked up first and passed as a list: joined in the same query, the
    # PostgreSQL planner walks the full-text index once per shop (measured: 20 times slower).
    listed = list(session.scalars(select(Shop.id).where(Shop.status == "verified")))
    if shop:
        listed = [shop] if shop in listed else []
    if not listed:
        return [], None
    stmt = (select(Product).where(Product.status == "active", Product.shop_id.in_(listed))
            .options(selectinload(Product.photos)))  # one query for a page's photos, not one per product
    if category:
        stmt = stmt.where(Product.category == category)
    if kecamatan:
        stmt = stmt.where(Product.kecamatan_code == kecamatan)
    if min_price is not None:
        stmt = stmt.where(Product.price >= min_price)
    if max_price is not None:
        stmt = stmt.where(Product.price <= max_price)
    score = None
    if terms:
        stmt, score = _match(stmt, session.get_bind().dialect.name, terms)
    if sort == "newest":
        return toolkit.paginate(session, stmt, [Product.created_at, Product.id], limit=limit, cursor=cursor)
    if sort in ("price_asc", "price_desc"):
        return toolkit.paginate(session, stmt, [Product.price, Product.id], limit=limit, cursor=cursor,
                                descending=sort == "price_desc")
    ranked = stmt.add_columns(score.label("score"))
    if cursor:
        after_score, after_id = _decode(cursor)
        ranked = ranked.where(or_(score < after_score, and_(score == after_score, Product.id > after_id)))
    rows = session.execute(ranked.order_by(score.desc(), Product.id.asc()).limit(limit + 1)).all()
    products = [row[0] for row in rows[:limit]]
    next_cursor = _encode(float(rows[limit - 1][1]), rows[limit - 1][0].id) if len(rows) > limit else None
    return products, next_cursor
