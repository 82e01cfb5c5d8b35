"""Product photos: checked by their bytes, at most eight, only the shop's own products."""
import io

from PIL import Image

from .conftest import BASE


def jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "JPEG")
    return picture.getvalue()


def upload(client, headers, product_id, data: bytes, name="foto.jpg"):
    return client.post(f"{BASE}/my-shop/products/{product_id}/photos", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_up_to_eight_photos_checked_by_their_bytes(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller)
    picture = jpeg()
    ids = []
    for _ in range(8):
        answer = upload(client, seller, product["id"], picture)
        assert answer.status_code == 201, answer.get_json()
        ids.append(answer.get_json()["id"])
    ninth = upload(client, seller, product["id"], picture)
    assert ninth.status_code == 409 and ninth.get_json()["error"]["code"] == "too_many_photos"
    shown = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]
    assert [p["id"] for p in shown] == ids and shown[0]["url"]
    assert client.get(shown[0]["url"]).status_code == 200
    assert upload(client, seller, product["id"], b"not an image").status_code in (409, 415)
    deleted = client.delete(f"{BASE}/my-shop/products/{product['id']}/photos/{ids[0]}", headers=seller)
    assert deleted.status_code == 204
    assert upload(client, seller, product["id"], b"not an image").status_code == 415
    assert len(client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]) == 7
    # Another shop's owner, or a buyer, cannot add or remove photos.
    other, _ = open_shop(name="Toko Lain")
    assert upload(client, other, product["id"], picture).status_code == 404
    assert client.delete(f"{BASE}/my-shop/products/{product['id']}/photos/{ids[1]}",
                         headers=other).status_code == 404
    assert upload(client, login_as("citizen"), product["id"], picture).status_code == 404
