"""RABEG - Citizen Complaints (rabeg): a RAGEM service plugin.

Laid out as ``ragem plugins new`` lays out every plugin: ``plugin.py`` (the hooks), ``models.py``
(the tables), ``api/`` (one route module per resource) with ``schemas/`` mirroring it, ``services/``
(the rules, one module per job), ``migrations/`` and ``tests/``. At the root beside them is what every
layer shares: ``access`` (permissions, who sees which complaint), ``calendar`` (working time),
``photos`` (stored photos) and ``seed`` (the categories). ``open311/`` is the Open311 GeoReport v2 API.
"""
