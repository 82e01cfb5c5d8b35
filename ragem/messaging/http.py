"""The HTTP client gateway plugins use: requests with timeouts and urllib3's retries.

requests because google-auth (the FCM service-account tokens) speaks it natively, so every
gateway shares one well-kept client; urllib3's ``Retry`` because it honours ``Retry-After`` and
backs off. Retries happen only where the provider cannot have taken the message: a connection
that failed, or an answer that says "try again" (429, 500, 502, 503, 504). A request whose
answer timed out is never repeated: the text may have gone, and a citizen must not get two codes.
"""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

#: Seconds to connect and to wait for the answer.
DEFAULT_TIMEOUT = (3.05, 10.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)


class _TimedSession(requests.Session):
    """A session whose every request has a time-out unless the caller gives one."""

    def __init__(self, timeout):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):  # noqa: D401 - requests' own signature
        """requests' ``request`` with the session's time-out as the default."""
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, **kwargs)


def http_session(*, retries: int = 2, backoff: float = 0.5, timeout=DEFAULT_TIMEOUT) -> requests.Session:
    """A ``requests.Session`` with time-outs (``(connect, read)`` seconds) and up to ``retries``
    retries of refused connections and 429/5xx answers, backing off ``backoff`` x 2^n seconds (or
    as ``Retry-After`` says); never a retry after a read time-out. After the last retry the
    provider's answer is returned as it is (``raise_on_status=False``)."""
    retry = Retry(
        # read=False: a read time-out is raised as it is (requests' ReadTimeout), never retried.
        total=retries, connect=retries, read=False, status=retries, other=0,
        backoff_factor=backoff, status_forcelist=RETRY_STATUSES, allowed_methods=None,
        respect_retry_after_header=True, raise_on_status=False,
    )
    session = _TimedSession(timeout)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
