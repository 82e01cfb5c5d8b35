"""Demo marketplace for ``ragem demo load`` / ``ragem serve --demo``: two verified shops of Kota
Serang's typical UMKM, run by the demo citizens ``citizen2`` (food: sate bandeng, emping) and
``citizen3`` (batik and crafts), with products to search and buy; ``citizen1`` is left to shop.
Idempotent: a shop that exists (by name) is left as it is."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.gelati.models import DeliveryFee, Product, Shop

SHOPS = (
    {"owner": "citizen2", "name": "Sate Bandeng & Emping Kang Fauzan", "category": "food",
     "description": "Sate bandeng tanpa duri dan emping melinjo buatan rumah, resep keluarga sejak 1998.",
     "kelurahan_code": "36.73.01.1002", "address": "Jl. Cipare Raya No. 12", "phone": "+6281100001201",
     "nib": "9120001000123", "pirt_number": "206360401020723", "halal_number": "ID36110000123450223",
     "bank_name": "Bank Banten", "bank_account": "0012345678",
     "fees": (("36.73.01", 5000), ("36.73.02", 10000), ("36.73.03", 10000)),
     "products": (
         ("Sate bandeng bakar", "Bandeng tanpa duri dibumbui santan dan rempah, dibakar arang. Isi 1 ekor.",
          "food", 35000, 25, 400),
         ("Emping melinjo manis pedas 250 g", "Emping melinjo Serang dengan balutan gula merah dan cabai.",
          "food", 22000, 40, 250),
         ("Emping melinjo original 500 g", "Emping melinjo tipis, siap goreng.", "food", 38000, 30, 500),
         ("Otak-otak bandeng isi 10", "Otak-otak ikan bandeng dibungkus daun pisang.", "food", 25000, 3, 350),
     )},
    {"owner": "citizen3", "name": "Batik & Kriya Komala", "category": "batik",
     "description": "Batik tulis dan cap motif Banten (Surosowan, Datulaya, Pamaranggen) dan kerajinan anyaman.",
     "kelurahan_code": "36.73.02.1001", "address": "Jl. Kasemen No. 4", "phone": "+6281100001301",
     "nib": "9120001000456", "pirt_number": None, "halal_number": None, "bank_name": None, "bank_account": None,
     "fees": (("36.73.02", 8000),),
     "products": (
         ("Kain batik tulis motif Surosowan", "Batik tulis khas Banten, katun primissima 2 m.", "batik", 450000, 5,
          300),
         ("Kemeja batik cap motif Datulaya", "Kemeja pria lengan pendek, batik cap, ukuran M-XL.", "batik", 185000,
          12, 250),
         ("Tas anyaman pandan", "Tas anyaman daun pandan buatan pengrajin Kasemen.", "craft", 95000, 8, 400),
         ("Gerabah hias Bumijaya", "Vas gerabah tanah liat dengan ukiran motif Banten.", "craft", 60000, 2, 1200),
     )},
)


def ensure_demo_shops(session) -> None:
    """Add the demo shops and products that are missing, verified by the UMKM office's demo officer."""
    officer = toolkit.demo_user("officer-DISKOPUKM")
    now = toolkit.utcnow()
    for spec in SHOPS:
        if session.scalar(select(Shop.id).where(Shop.name == spec["name"])):
            continue
        owner = toolkit.demo_user(spec["owner"])
        kelurahan = toolkit.region(spec["kelurahan_code"])
        shop = Shop(owner_id=owner.id, name=spec["name"], description=spec["description"], category=spec["category"],
                    kelurahan_code=spec["kelurahan_code"], kecamatan_code=kelurahan.parent_code, nib=spec["nib"],
                    pirt_number=spec["pirt_number"], halal_number=spec["halal_number"], status="verified",
                    reviewed_by=officer.id, reviewed_at=now, pickup_enabled=True, delivery_enabled=True,
                    bank_name=spec["bank_name"], created_at=now, changed_at=now)
        shop.address, shop.phone, shop.bank_account = spec["address"], spec["phone"], spec["bank_account"]
        shop.delivery_fees = [DeliveryFee(kecamatan_code=code, fee=fee) for code, fee in spec["fees"]]
        session.add(shop)
        session.flush()
        for name, description, category, price, stock, weight in spec["products"]:
            session.add(Product(shop_id=shop.id, name=name, description=description, category=category,
                                kecamatan_code=shop.kecamatan_code, price=price, stock=stock, weight_grams=weight,
                                status="active", created_at=now, changed_at=now))
    session.flush()
