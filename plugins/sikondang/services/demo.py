"""Demo datasets: two BPS tables about Banten, published as an officer would publish them.

They are loaded through the same check and load as an upload (``services/imports.py``), so the
demo also shows that the real path accepts them. Idempotent: a dataset that exists is left alone.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ragem import toolkit

from plugins.sikondang.access import find_dataset
from plugins.sikondang.models import Dataset, Dimension, Measure
from plugins.sikondang.services import imports

DATA = Path(__file__).resolve().parents[1] / "demo_data"
OWNER = "DISKOMINFO"  # Dinas Komunikasi, Informatika, Statistik dan Persandian


def _label(text_id: str, text_en: str | None = None) -> dict[str, str]:
    return {"label_id": text_id, "label_en": text_en or text_id}


def _banten_regions(table: bytes) -> list[dict[str, str]]:
    """The province and kabupaten/kota of Banten named in ``table`` (Kota Serang's own come from the core)."""
    rows = csv.DictReader(io.StringIO(table.decode("utf-8")))
    seen: dict[str, str] = {}
    for row in rows:
        if not row["region_code"].startswith("36.73"):
            seen.setdefault(row["region_code"], row["region_name"])
    return [{"code": code, **_label(name, name.replace("Kabupaten", "Regency").replace("Kota ", "City of ")
                                    .replace("Provinsi", "Province of"))} for code, name in sorted(seen.items())]


DATASETS = [
    {
        "name": "akses-internet-banten",
        "file": "internet_access_banten_2018_2020.csv",
        "title": ("Persentase Penduduk Usia 5 Tahun ke Atas yang Mengakses Internet menurut Kabupaten/Kota, 2018-2020",
                  "Share of the Population Aged 5+ Who Accessed the Internet by Regency/City, 2018-2020"),
        "description": ("Persentase penduduk berumur 5 tahun ke atas yang pernah mengakses internet dalam 3 bulan "
                        "terakhir, per kabupaten/kota di Provinsi Banten.",
                        "Share of the population aged 5 and over who accessed the internet in the last 3 months, "
                        "by regency/city of Banten Province."),
        "source": "BPS Provinsi Banten", "unit": "kabupaten/kota", "tags": ["internet", "tik", "bps"],
        "topic": "teknologi-informasi", "temporal": "2018-2020",
        "dimensions": [("region_code", "region", ("Wilayah", "Region")), ("year", "year", ("Tahun", "Year"))],
        "measures": [("percent_population_aged_5_plus_accessing_internet", ("Persentase", "Percentage"), "%", 2)],
    },
    {
        "name": "penduduk-luas-wilayah-banten-2025",
        "file": "population_area_banten_2025.csv",
        "title": ("Jumlah Penduduk menurut Jenis Kelamin dan Luas Wilayah Kabupaten/Kota di Banten, 2025",
                  "Population by Sex and Land Area of the Regencies/Cities of Banten, 2025"),
        "description": ("Jumlah penduduk laki-laki, perempuan dan total (Dukcapil, kode wilayah 2025) serta luas "
                        "wilayah dalam km2 (Badan Informasi Geospasial, 2024).",
                        "Male, female and total population (Dukcapil, 2025 region codes) and land area in km2 "
                        "(Geospatial Information Agency, 2024)."),
        "source": "Kepmendagri No. 300.2.2-2138 Tahun 2025; Badan Informasi Geospasial (2024)", "unit": "kabupaten/kota",
        "tags": ["kependudukan", "wilayah"], "topic": "kependudukan", "temporal": "2025",
        "dimensions": [("region_code", "region", ("Wilayah", "Region"))],
        "measures": [("population_male", ("Penduduk laki-laki", "Male population"), "jiwa", 0),
                     ("population_female", ("Penduduk perempuan", "Female population"), "jiwa", 0),
                     ("population_total", ("Jumlah penduduk", "Total population"), "jiwa", 0),
                     ("area_km2", ("Luas wilayah", "Land area"), "km2", 3)],
    },
]


def ensure_demo_datasets() -> list[str]:
    """Create, load and publish the demo datasets that are missing; returns the names added."""
    added = []
    for spec in DATASETS:
        if find_dataset(spec["name"]) is not None:
            continue
        table = (DATA / spec["file"]).read_bytes()
        now = toolkit.utcnow()
        dataset = Dataset(
            name=spec["name"], title_id=spec["title"][0], title_en=spec["title"][1],
            description_id=spec["description"][0], description_en=spec["description"][1], opd_code=OWNER,
            source=spec["source"], unit=spec["unit"], frequency="annual", licence="CC-BY-4.0", tags=spec["tags"],
            topic=spec["topic"], temporal_coverage=spec["temporal"], spatial_coverage="Provinsi Banten",
            state="draft", created_at=now, updated_at=now,
        )
        dataset.dimensions = [
            Dimension(position=n, key=key, kind=kind, **_label(*label),
                      values=_banten_regions(table) if kind == "region" else [])
            for n, (key, kind, label) in enumerate(spec["dimensions"], start=1)
        ]
        dataset.measures = [Measure(position=n, key=key, unit=unit, decimals=decimals, **_label(*label))
                            for n, (key, label, unit, decimals) in enumerate(spec["measures"], start=1)]
        toolkit.db.session.add(dataset)
        toolkit.db.session.flush()
        imports.load(dataset, imports.check_table(dataset, table), actor_id=None, filename=spec["file"])
        dataset.state, dataset.published_at = "published", toolkit.utcnow()
        added.append(dataset.name)
    return added
