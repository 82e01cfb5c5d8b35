"""RABEG's rules, one module per job (filing, the lifecycle actions, queues, the public view, KPIs, jobs...).

Routes (``api/``), Open311 and the hooks (``plugin.py``) call these functions; they check, write,
audit, notify and commit, raise ``toolkit.ApiError`` for anything the caller did wrong, and return
model objects (or plain values where no table is behind the answer) for the schemas to dump.
"""
