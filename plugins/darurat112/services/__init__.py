"""The 112 service's rules, one module per job: intake (app and calls), the citizen's follow-up, the
command centre's steps, the agencies' dispatches, prank control, the queue and feed, data rights.

Routes (``api/``) and hooks (``plugin.py``) call these functions; they check, write, append to the
timeline, audit, notify, commit, raise ``toolkit.ApiError`` for anything the caller did wrong and
return model objects for the schemas to dump.
"""
