"""Open311 GeoReport v2 for RABEG: the standard API third-party apps and dashboards use.

Served from the site root at ``/open311/v2/`` (a root-mounted blueprint), in JSON and XML, with
errors as a list of ``{code, description}``. A request filed here goes through the same
``filing.file_complaint`` as one filed in the app, so it is routed exactly the same way.
Modules: ``formats`` (JSON/XML rendering and errors), ``dates`` (w3c datetimes in WIB),
``services`` (categories as services), ``requests`` (complaints as service requests),
``submit`` (POST), ``api_keys`` (keys for third-party clients), ``views``, ``schemas``, ``cli``.
"""
