"""What SIKONDANG's tests share besides fixtures: the API root and a dataset like the BPS internet table.

A module of its own, imported by its full name: ``from conftest import ...`` would find the core's
tests/conftest.py when the whole suite runs.
"""
from __future__ import annotations

DATASETS = "/api/v1/sikondang/datasets"

#: Internet access by kabupaten/kota and year (a slice of the BPS table of the demo data).
INTERNET_CSV = (
    "region_code,region_name,year,percent\n"
    "36.73,Kota Serang,2019,51.98\n"
    "36.73,Kota Serang,2020,57.91\n"
    "36.72,Kota Cilegon,2019,58.75\n"
    "36.72,Kota Cilegon,2020,66.12\n"
)


def internet_definition(name: str = "akses-internet", **overrides) -> dict:
    """A dataset definition like the BPS internet table: region and year, one percentage."""
    body = {
        "name": name,
        "title": {"id": "Akses internet penduduk", "en": "Population accessing the internet"},
        "description": {"id": "Persentase penduduk usia 5+ yang mengakses internet.",
                        "en": "Share of the population aged 5+ who accessed the internet."},
        "source": "BPS Provinsi Banten", "unit": "kabupaten/kota", "frequency": "annual",
        "tags": ["internet", "tik"], "topic": "teknologi", "temporal_coverage": "2019-2020",
        "spatial_coverage": "Provinsi Banten",
        "dimensions": [
            {"key": "region_code", "label": {"id": "Wilayah", "en": "Region"}, "kind": "region",
             "values": [{"code": "36.72", "label": {"id": "Kota Cilegon", "en": "Cilegon City"}}]},
            {"key": "year", "label": {"id": "Tahun", "en": "Year"}, "kind": "year"},
        ],
        "measures": [{"key": "percent", "label": {"id": "Persen", "en": "Percent"}, "unit": "%", "decimals": 2}],
    }
    body.update(overrides)
    return body
