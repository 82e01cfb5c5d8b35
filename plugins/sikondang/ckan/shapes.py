"""SIKONDANG's datasets in CKAN's shapes: packages, organizations (OPDs), resources, tags.

Ids are stable UUIDs derived from our own ids (uuid5), so a harvester that stores them finds the
same dataset again. Timestamps are CKAN's (ISO 8601, microseconds, UTC without a zone).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ragem import toolkit

from plugins.sikondang.models import Dataset

NAMESPACE = uuid.UUID("2f6a3c1e-5b7d-4e0a-9c8f-1d2e3f405161")
LICENCES = {
    "CC-BY-4.0": ("cc-by", "Creative Commons Attribution"),
    "CC-BY-SA-4.0": ("cc-by-sa", "Creative Commons Attribution Share-Alike"),
    "CC0-1.0": ("cc-zero", "Creative Commons CCZero"),
    "ODC-BY-1.0": ("odc-by", "Open Data Commons Attribution License"),
}
#: DCAT-style accrual periodicity of our frequencies (an extra harvesters map).
PERIODICITY = {"annual": "R/P1Y", "semiannual": "R/P6M", "quarterly": "R/P3M", "monthly": "R/P1M",
               "weekly": "R/P1W", "daily": "R/P1D", "irregular": "irregular"}


def ckan_time(moment: datetime | None) -> str | None:
    """A naive UTC datetime as CKAN writes it (``2026-11-30T03:00:00.000000``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") if moment else None


def package_id(dataset: Dataset) -> str:
    """The dataset's CKAN id (stored with the dataset)."""
    return dataset.ckan_id


def resource_ids(dataset: Dataset) -> dict[str, str]:
    """The ids of the dataset's two resources: the datastore table (CSV, stored) and its JSON download."""
    return {"csv": dataset.ckan_resource_id, "json": str(uuid.uuid5(NAMESPACE, f"resource:{dataset.id}:json"))}


def organization_name(opd_code: str) -> str:
    """An OPD's CKAN organization name (its code in lowercase)."""
    return opd_code.lower()


def organization(opd_code: str, package_count: int | None = None) -> dict[str, Any]:
    """An OPD as a CKAN organization."""
    opd = toolkit.opd(opd_code)
    title = opd.name_id if opd else opd_code
    found = {
        "id": str(uuid.uuid5(NAMESPACE, f"organization:{opd_code}")), "name": organization_name(opd_code),
        "title": title, "display_name": title, "description": opd.name_en if opd else "", "type": "organization",
        "is_organization": True, "state": "active", "approval_status": "approved", "image_url": "",
        "image_display_url": "", "created": None,
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def package(dataset: Dataset, base_url: str) -> dict[str, Any]:
    """``dataset`` as a CKAN package dict (what package_show and package_search answer)."""
    licence_id, licence_title = LICENCES.get(dataset.licence, (dataset.licence.lower(), dataset.licence))
    api = f"{base_url}/api/v1/sikondang/datasets/{dataset.name}"
    ids = resource_ids(dataset)
    modified = ckan_time(dataset.updated_at)
    resources = [
        {"id": ids["csv"], "package_id": package_id(dataset), "name": f"{dataset.title_id} (CSV)",
         "description": dataset.description_id, "format": "CSV", "mimetype": "text/csv",
         "url": f"{api}/download.csv", "datastore_active": True, "state": "active", "position": 0,
         "created": ckan_time(dataset.created_at), "last_modified": ckan_time(dataset.data_updated_at),
         "metadata_modified": modified, "url_type": None, "size": None, "hash": ""},
        {"id": ids["json"], "package_id": package_id(dataset), "name": f"{dataset.title_id} (JSON)",
         "description": dataset.description_id, "format": "JSON", "mimetype": "application/json",
         "url": f"{api}/download.json", "datastore_active": False, "state": "active", "position": 1,
         "created": ckan_time(dataset.created_at), "last_modified": ckan_time(dataset.data_updated_at),
         "metadata_modified": modified, "url_type": None, "size": None, "hash": ""},
    ]
    tags = [{"id": str(uuid.uuid5(NAMESPACE, f"tag:{tag}")), "name": tag, "display_name": tag, "state": "active",
             "vocabulary_id": None} for tag in dataset.tags]
    groups = ([{"id": str(uuid.uuid5(NAMESPACE, f"group:{dataset.topic}")), "name": dataset.topic,
                "title": dataset.topic, "display_name": dataset.topic, "description": "", "image_display_url": ""}]
              if dataset.topic else [])
    org = organization(dataset.opd_code)
    extras = {"title_en": dataset.title_en, "notes_en": dataset.description_en, "source": dataset.source,
              "unit": dataset.unit, "frequency": dataset.frequency,
              "accrual_periodicity": PERIODICITY.get(dataset.frequency, dataset.frequency),
              "temporal_coverage": dataset.temporal_coverage, "spatial_coverage": dataset.spatial_coverage,
              "revision": str(dataset.revision_count), "language": "id"}
    return {
        "id": package_id(dataset), "name": dataset.name, "title": dataset.title_id, "notes": dataset.description_id,
        "type": "dataset", "state": "deleted" if dataset.state == "withdrawn" else "active", "private": False, "isopen": licence_id in {"cc-by", "cc-by-sa", "cc-zero", "odc-by"},
        "license_id": licence_id, "license_title": licence_title, "url": f"{api}", "version": str(dataset.revision_count),
        "author": dataset.source, "author_email": None, "maintainer": org["title"], "maintainer_email": None,
        "metadata_created": ckan_time(dataset.created_at), "metadata_modified": modified,
        "owner_org": org["id"], "organization": org, "creator_user_id": None,
        "tags": tags, "num_tags": len(tags), "groups": groups, "resources": resources, "num_resources": len(resources),
        "extras": [{"key": key, "value": value} for key, value in extras.items() if value],
        "relationships_as_object": [], "relationships_as_subject": [],
    }
