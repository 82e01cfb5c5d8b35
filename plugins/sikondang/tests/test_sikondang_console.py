"""SIKONDANG in the staff console: the datasets with their state, a table uploaded through a form
and its validation report read on the page, publishing and withdrawing."""
import html
import io

from ragem.testing import console_client, console_post

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV

LIST = "/console/p/sikondang/datasets"
PAGE = "/console/p/sikondang/dataset/akses-internet"
BAD_CSV = "region_code,year,percent\n36.73,2019,1\n36.73,dua ribu,1\n3673,2020,<b>x</b>\n"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, content: str, filename: str = "tabel.csv", path: str = PAGE):
    return console_post(client, f"{path}/act/upload", {"file": (io.BytesIO(content.encode()), filename)})


def api_dataset(client, headers) -> dict:
    return client.get(f"{DATASETS}/akses-internet", headers=headers).get_json()


def test_an_officer_uploads_a_table_reads_the_report_and_publishes(app, client, officer, create_dataset):
    create_dataset()
    staff = console_client(app, "officer", opd="DISKOMINFO")
    listed = staff.get(LIST)
    assert listed.status_code == 200 and "akses-internet" in text(listed) and "draf" in text(listed)
    assert f'href="{LIST}"' in text(staff.get("/console/"))
    assert 'enctype="multipart/form-data"' in text(staff.get(PAGE))

    done = upload(staff, INTERNET_CSV)
    assert done.status_code == 302 and "import_id=" in done.headers["Location"]
    report = staff.get(done.headers["Location"])
    body = text(report)
    assert report.status_code == 200 and 'id="import-report"' in body and "diterima" in body
    assert api_dataset(client, officer)["row_count"] == 4

    published = console_post(staff, f"{PAGE}/act/publish")
    assert published.status_code == 302
    assert api_dataset(client, None)["state"] == "published"  # the public reads it now
    assert "terbit" in text(staff.get(LIST))


def test_a_table_with_bad_rows_shows_every_problem_and_changes_nothing(app, client, officer, create_dataset):
    create_dataset()
    staff = console_client(app, "officer", opd="DISKOMINFO")
    done = upload(staff, BAD_CSV)
    assert done.status_code == 302
    page = staff.get(done.headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "ditolak" in text(page) and 'id="import-errors"' in body
    assert "dua ribu" in text(page) and "unknown region code" in text(page)
    assert "<b>x</b>" not in body  # what the file held is shown as text, never as markup
    assert api_dataset(client, officer)["row_count"] == 0
    # Publishing without data is the service's refusal on the page, not a 500.
    refused = console_post(staff, f"{PAGE}/act/publish")
    assert refused.status_code == 409 and "Unggah data sebelum menerbitkan" in text(refused)


def test_bad_input_is_shown_not_a_500(app, client, officer, create_dataset):
    create_dataset()
    staff = console_client(app, "officer", opd="DISKOMINFO")
    no_file = console_post(staff, f"{PAGE}/act/upload", {})
    assert no_file.status_code == 422 and "file" in text(no_file)
    empty = upload(staff, "")
    assert empty.status_code in (400, 422) and "Berkas kosong" in text(empty)
    assert staff.get(PAGE + "?import_id=abc").status_code == 400
    assert staff.get(PAGE + "?import_id=999999").status_code == 404
    assert staff.get("/console/p/sikondang/dataset/" + "x" * 300).status_code == 404
    assert staff.get(LIST + "?q=" + "x" * 200).status_code == 400
    assert api_dataset(client, officer)["revision_count"] == 0


def test_who_sees_and_uploads_and_a_post_without_the_token_is_refused(app, client, officer, create_dataset):
    create_dataset()
    other = console_client(app, "officer", opd="DPUPR")
    assert "akses-internet" not in text(other.get(LIST))  # another OPD's draft is not listed
    assert other.get(PAGE).status_code == 404
    assert upload(other, INTERNET_CSV, path=PAGE).status_code == 404
    assert client.get(LIST).status_code == 302
    assert console_client(app, "citizen").get(PAGE).status_code == 302
    admin = console_client(app, "admin")
    assert admin.get(PAGE).status_code == 200
    staff = console_client(app, "officer", opd="DISKOMINFO")
    refused = staff.post(f"{PAGE}/act/upload", data={"file": (io.BytesIO(INTERNET_CSV.encode()), "t.csv")})
    assert refused.status_code == 400
    assert api_dataset(client, officer)["revision_count"] == 0


def test_withdrawing_a_published_dataset_keeps_it_for_its_opd(app, client, officer, published):
    staff = console_client(app, "officer", opd="DISKOMINFO")
    assert console_post(staff, f"{PAGE}/act/withdraw").status_code == 302
    assert client.get(f"{DATASETS}/akses-internet").status_code == 410
    assert "ditarik" in text(staff.get(LIST))


def test_while_sikondang_is_switched_off_its_pages_say_so(app, client, login_as, officer, create_dataset):
    create_dataset()
    staff = console_client(app, "officer", opd="DISKOMINFO")
    assert staff.get(PAGE).status_code == 200
    admin = login_as("admin")
    assert client.patch("/api/v1/admin/services/sikondang", json={"enabled": False, "reason": "pemeliharaan"},
                        headers=admin).status_code == 200
    for url in (LIST, PAGE):
        off = staff.get(url)
        assert off.status_code == 503 and 'id="service-off"' in text(off)
    assert console_post(staff, f"{PAGE}/act/upload", {"file": (io.BytesIO(INTERNET_CSV.encode()), "t.csv")},
                        token_from="/console/").status_code == 503
    client.patch("/api/v1/admin/services/sikondang", json={"enabled": True, "reason": "selesai"}, headers=admin)
    assert api_dataset(client, officer)["revision_count"] == 0
