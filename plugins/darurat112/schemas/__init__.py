"""The 112 service's schemas, mirroring ``api/``: ``schemas/<resource>.py`` holds what ``api/<resource>.py``
accepts and answers (and its part of openapi.yaml); ``fields.py`` holds what several share."""
