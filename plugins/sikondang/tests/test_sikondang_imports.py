"""Uploading tables: encodings, separators, XLSX, the row-by-row report, all-or-nothing, revisions."""
from __future__ import annotations

import io

import openpyxl

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV

URL = f"{DATASETS}/akses-internet"


def rows(client, headers, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    answer = client.get(f"{URL}/data?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [(r["region_code"], r["year"], r["percent"]) for r in answer.get_json()["items"]]


def succeeded(answer) -> dict:
    assert answer.status_code == 202, answer.get_json()
    job = answer.get_json()
    assert job["status"] == "succeeded", job["report"]
    return job


def failed(answer) -> dict:
    assert answer.status_code == 202, answer.get_json()
    job = answer.get_json()
    assert job["status"] == "failed", job
    return job["report"]


def test_a_csv_upload_becomes_the_first_revision(client, officer, create_dataset, upload):
    create_dataset()
    job = succeeded(upload("akses-internet", INTERNET_CSV))
    assert job["revision_number"] == 1 and job["rows_done"] == job["rows_total"] == 4
    assert job["report"]["ignored_columns"] == ["region_name"]
    assert job["report"]["changes"] == {"added": 4, "removed": 0, "changed": 0, "unchanged": 0}
    assert rows(client, officer) == [("36.73", 2019, 51.98), ("36.73", 2020, 57.91),
                                     ("36.72", 2019, 58.75), ("36.72", 2020, 66.12)]
    polled = client.get(f"{URL}/imports/{job['id']}", headers=officer)
    assert polled.status_code == 200 and polled.get_json()["status"] == "succeeded"
    meta = client.get(URL, headers=officer).get_json()
    assert meta["revision_count"] == 1 and meta["row_count"] == 4 and meta["data_updated_at"].endswith("Z")


def test_excel_csv_in_windows_1252_with_semicolons_and_indonesian_numbers(client, officer, create_dataset, upload):
    create_dataset(measures=[{"key": "percent", "label": {"id": "Persen", "en": "Percent"}, "decimals": 1}])
    text = ("region_code;region_name;year;percent\r\n"
            "36.73;Kota Serang (Banten) – ibu kota;2019;1.234,5\r\n"
            "36.72;Cilegon, kota baja é;2019;51,9\r\n")
    job = succeeded(upload("akses-internet", text.replace("–", "-").encode("cp1252")))
    assert job["report"]["encoding"] == "windows-1252" and job["report"]["delimiter"] == ";"
    assert job["report"]["decimal_separator"] == ","
    assert rows(client, officer) == [("36.73", 2019, 1234.5), ("36.72", 2019, 51.9)]


def test_utf8_with_a_byte_order_mark_and_utf16_are_read(client, officer, create_dataset, upload):
    create_dataset()
    job = succeeded(upload("akses-internet", "\ufeff" + INTERNET_CSV))
    assert job["report"]["encoding"] == "utf-8-sig"
    job = succeeded(upload("akses-internet", INTERNET_CSV.replace(",", "\t").encode("utf-16")))
    assert job["report"]["encoding"] == "utf-16" and job["report"]["delimiter"] == "\t"
    assert len(rows(client, officer)) == 4


def test_an_xlsx_upload_reads_its_first_sheet(client, officer, create_dataset, upload):
    create_dataset()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["region_code", "year", "percent"])
    sheet.append(["36.73", 2019, 51.98])
    sheet.append(["36.72", 2020.0, "66,12"])
    workbook.create_sheet("catatan").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = succeeded(upload("akses-internet", buffer.getvalue(), filename="tabel.xlsx"))
    assert job["report"]["format"] == "xlsx" and job["report"]["notes"] == ["only the first sheet (Sheet) was read"]
    assert rows(client, officer) == [("36.73", 2019, 51.98), ("36.72", 2020, 66.12)]


def test_a_file_with_bad_rows_is_reported_row_by_row_and_changes_nothing(client, officer, create_dataset, upload):
    create_dataset()
    succeeded(upload("akses-internet", INTERNET_CSV))
    bad = (
        "region_code,year,percent\n"
        "36.73,2019,99.99\n"           # line 2: fine, but the file as a whole is refused
        "3673,2019,1\n"                # line 3: a BPS code, not Kemendagri
        "36.01,2019,1\n"               # line 4: a region neither in Kota Serang nor declared
        "36.73,dua ribu,1\n"           # line 5: not a year
        "36.73,2020,\n"                # line 6: missing
        "36.73,2020,12.345\n"          # line 7: three decimals, the measure has two
        "36.73,2019,5\n"               # line 8: duplicate of line 2
        "36.72,2019,=cmd|' /C calc'!A0\n"  # line 9: a formula, not a number
    )
    report = failed(upload("akses-internet", bad))
    assert report["code"] == "invalid_rows" and report["error_count"] == 7
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "region_code"), (4, "region_code"), (5, "year"), (6, "percent"), (7, "percent"), (8, None), (9, "percent")]
    reasons = [e["reason"] for e in report["errors"]]
    assert reasons[0].startswith("unknown region code") and reasons[3] == "missing value"
    assert reasons[4] == "more than 2 decimals" and reasons[5].startswith("duplicate of row 2")
    # Nothing changed: the first revision's rows are still there, and no revision was added.
    assert rows(client, officer, year=2019) == [("36.73", 2019, 51.98), ("36.72", 2019, 58.75)]
    meta = client.get(URL, headers=officer).get_json()
    assert meta["revision_count"] == 1
    assert len(client.get(f"{URL}/revisions", headers=officer).get_json()["items"]) == 1


def test_empty_headerless_wrong_and_oversize_files_are_refused(client, officer, create_dataset, upload, make_app, login_as):
    create_dataset()
    empty = upload("akses-internet", b"")
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "empty_file"
    assert failed(upload("akses-internet", "   \n\n"))["code"] == "empty_file"
    assert failed(upload("akses-internet", "region_code,year,percent\n"))["code"] == "empty_file"
    header = failed(upload("akses-internet", "wilayah,tahun,nilai\n36.73,2019,1\n"))
    assert header["code"] == "bad_header" and header["expected_columns"] == ["region_code", "year", "percent"]
    assert failed(upload("akses-internet", b"PK\x03\x04 not really a workbook"))["code"] == "not_a_table"
    assert failed(upload("akses-internet", b"\x89PNG\r\n\x1a\n\x00\x00\x00"))["code"] == "not_a_table"
    assert client.get(URL, headers=officer).get_json()["revision_count"] == 0

    small = make_app(SIKONDANG_MAX_UPLOAD_BYTES=100, SIKONDANG_MAX_ROWS=3)
    small_client, small_officer = small.test_client(), login_as("officer", opd="DISKOMINFO", target_app=small)
    from plugins.sikondang.tests.support import internet_definition
    assert small_client.post(DATASETS, json=internet_definition(), headers=small_officer).status_code == 201
    big = small_client.post(f"{URL}/imports", data={"file": (io.BytesIO(INTERNET_CSV.encode()), "t.csv")},
                            headers=small_officer, content_type="multipart/form-data")
    assert big.status_code == 413 and big.get_json()["error"]["details"] == {"max_bytes": 100}
    many = small_client.post(f"{URL}/imports", data={"file": (io.BytesIO(b"region_code,year,percent\n" + b"36.73,2019,1\n" * 4),
                                                              "t.csv")}, headers=small_officer, content_type="multipart/form-data")
    assert many.get_json()["status"] == "failed" and many.get_json()["report"]["code"] == "too_many_rows"


def test_each_upload_is_a_revision_and_earlier_ones_stay_downloadable(client, officer, create_dataset, upload):
    create_dataset()
    succeeded(upload("akses-internet", INTERNET_CSV, filename="2020.csv"))
    second = succeeded(upload("akses-internet", "region_code,year,percent\n36.73,2019,51.98\n36.73,2020,60\n"
                                                "36.73,2021,70.5\n", filename="2021.csv"))
    assert second["revision_number"] == 2
    assert second["report"]["changes"] == {"added": 1, "removed": 2, "changed": 1, "unchanged": 1}
    history = client.get(f"{URL}/revisions", headers=officer).get_json()["items"]
    assert [(r["number"], r["filename"], r["row_count"]) for r in history] == [(2, "2021.csv", 3), (1, "2020.csv", 4)]
    assert history[0]["created_by"] == officer["X-Test-User-Id"] and history[0]["created_at"].endswith("Z")
    old = client.get(f"{URL}/revisions/1/data.csv", headers=officer)
    assert old.status_code == 200 and old.mimetype == "text/csv"
    assert old.get_data(as_text=True).splitlines() == [
        "region_code,year,percent", "36.73,2019,51.98", "36.73,2020,57.91", "36.72,2019,58.75", "36.72,2020,66.12"]
    assert client.get(f"{URL}/revisions/3/data.csv", headers=officer).status_code == 404
    assert rows(client, officer, year="2020,2021") == [("36.73", 2020, 60.0), ("36.73", 2021, 70.5)]
    client.patch(URL, json={"state": "published"}, headers=officer)
    public = client.get(f"{URL}/revisions").get_json()["items"]
    assert [(r["number"], r["created_by"], r["filename"]) for r in public] == [(2, None, ""), (1, None, "")]


def test_only_officers_of_the_owning_opd_upload_and_poll(client, login_as, create_dataset, upload, officer):
    create_dataset()
    other = upload("akses-internet", INTERNET_CSV, headers=login_as("officer", opd="DPUPR"))
    assert other.status_code == 404
    assert upload("akses-internet", INTERNET_CSV, headers=login_as("citizen")).status_code == 403
    job = succeeded(upload("akses-internet", INTERNET_CSV))
    client.patch(URL, json={"state": "published"}, headers=officer)
    assert upload("akses-internet", INTERNET_CSV, headers=login_as("officer", opd="DPUPR")).status_code == 403
    assert client.get(f"{URL}/imports/{job['id']}", headers=login_as("officer", opd="DPUPR")).status_code == 403
    assert client.get(f"{URL}/imports/99999", headers=officer).status_code == 404
