"""SIKONDANG - City Statistics (sikondang): Kota Serang's numbers as open data.

Officers define datasets (dimensions and measures) and upload their tables; the public reads,
filters and downloads them through ``/api/v1/sikondang`` and harvesters through the CKAN-compatible
API at ``/satudata``.
"""

SLUG = "sikondang"
VERSION = "0.2.0"

#: Officers manage their own OPD's datasets; admins (Diskominfo) manage every dataset.
MANAGE = "sikondang.manage"
