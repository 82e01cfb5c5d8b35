"""RABEG's schemas, mirroring ``api/``: ``schemas/<resource>.py`` holds what ``api/<resource>.py`` accepts
and answers (they also write RABEG's part of openapi.yaml); ``fields.py`` holds what several share."""
