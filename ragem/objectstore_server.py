"""A real S3-compatible server on loopback for tests: moto's standalone server in its own process.

It speaks the S3 HTTP API as MinIO or AWS do, so the object-store backend is tested over the wire
(signatures, status codes, listings), and it can be stopped to show what an outage looks like.
Reached from tests through ``ragem.testing`` (the ``s3_server`` fixture).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from typing import Any

#: Any credentials do for moto; these are the tests' own, never a deployment's.
ACCESS_KEY, SECRET_KEY, REGION = "ragem-test-access", "ragem-test-secret", "us-east-1"
START_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ObjectStoreServer:
    """``moto_server`` on 127.0.0.1: ``start()``, ``stop()``, ``new_bucket()``, ``settings(bucket)``."""

    def __init__(self) -> None:
        """Pick a free port; nothing runs until ``start``."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ObjectStoreServer":
        """Start the server and wait until it answers (at most ``START_SECONDS``)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.url} within {START_SECONDS} s")

    def stop(self) -> None:
        """Stop the server (its objects are gone with it)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def client(self):
        """A boto3 S3 client of this server."""
        import boto3

        return boto3.session.Session().client(
            "s3", endpoint_url=self.url, region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        """Create an empty bucket of its own (one per test keeps tests apart); returns its name."""
        name = f"ragem-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "uploads") -> dict[str, Any]:
        """The RAGEM settings (without the ``RAGEM_`` prefix) that keep uploads in ``bucket``."""
        return {
            "STORAGE_URL": f"s3://{bucket}/{prefix}", "S3_ENDPOINT_URL": self.url, "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }
