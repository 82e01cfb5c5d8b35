"""Caching headers of SIKONDANG's reads, through ``toolkit.conditional_get``.

A published dataset's answers are the same for everyone and may be kept by browsers and proxies
for a few minutes; a draft's are for its OPD only and are never stored. Every answer carries an
ETag (and, where a timestamp tells every change, ``Last-Modified``) so clients revalidate for a 304.
"""
from __future__ import annotations

from typing import Any

from ragem import toolkit

from plugins.sikondang.models import Dataset

PUBLIC_MAX_AGE = 300
PUBLIC = f"public, max-age={PUBLIC_MAX_AGE}"
DRAFT = "private, no-store"


def for_dataset(dataset: Dataset, *parts: Any, public: bool = True) -> toolkit.Conditional:
    """Validators of an answer about ``dataset``: it changes with every revision, metadata change or
    change of state (all of which move ``updated_at``). ``public=False`` for an answer that differs
    by caller (the uploader shown to the dataset's OPD)."""
    if dataset.state != "published":
        control = DRAFT
    else:
        control = PUBLIC if public else "private, no-cache"
    return toolkit.conditional_get(dataset.id, dataset.revision_count, dataset.updated_at, dataset.state, *parts,
                                   last_modified=dataset.updated_at, cache_control=control)


def for_page(items: list[Dataset], next_cursor: str | None, *, public: bool) -> toolkit.Conditional:
    """Validators of a page of datasets: its items as they are now, and where the next page starts.

    No ``Last-Modified``: a dataset can leave the page (withdrawn, deleted) without any timestamp
    in it moving, so only the ETag tells."""
    return toolkit.conditional_get([(d.id, d.updated_at, d.state, d.revision_count) for d in items], next_cursor,
                                   cache_control=PUBLIC if public else "private, no-cache")
