"""A read-only subset of CKAN's Action API over SIKONDANG, root-mounted at ``/satudata``.

Harvesters (the national Satu Data portal runs CKAN) and CKAN client libraries point at
``https://<host>/satudata`` and call ``api/3/action/<name>`` (or ``api/action/<name>``) as on any
CKAN site: ``status_show``, ``help_show``, ``package_list``, ``package_search``, ``package_show``,
``organization_list`` and ``datastore_search``, in CKAN's envelope and with CKAN's errors.
"""
