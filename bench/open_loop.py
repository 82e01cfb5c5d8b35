"""An open-loop HTTP load: requests arrive at a fixed rate whether or not earlier ones were answered.

wrk is a closed loop: each connection sends its next request only when the last one is answered,
so a slow answer also delays the requests behind it, and the latency it reports is mostly the
queue its own connections build (Little's law). A hotspot controller does not wait like that:
phones arrive when they arrive. This client schedules its requests in advance, as a Poisson process
at ``rate`` a second (independent arrivals, so bursts happen as they do in life), and measures each
latency from its scheduled moment to the last byte of the answer: time spent waiting for a free
connection or behind a slow request counts (no "coordinated omission").

The connections are kept alive and shared like a RADIUS server's connection pool (FreeRADIUS's
rlm_rest keeps a pool of them): a scheduled request takes any idle connection; when every
connection is busy it waits, and that wait is part of its latency.

Used by the benchmark scripts (``bench/wifi.py --rates``); standard library only.
"""
from __future__ import annotations

import asyncio
import random
import resource
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit


@dataclass
class OpenLoopResult:
    """What one open-loop run measured: the rate asked for and achieved, latencies, failures."""

    label: str
    rate: float
    duration: float
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    unsent: int = 0
    client_cpu_s: float = 0.0

    @property
    def answered_rps(self) -> float:
        """Answers (good or bad) a second over the scheduled duration."""
        return (len(self.latencies_ms) + self.failures) / self.duration

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the answered requests fall (nearest rank), in ms."""
        if not self.latencies_ms:
            return float("inf")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def p50_ms(self) -> float:
        return self.percentile(0.50)

    @property
    def p99_ms(self) -> float:
        return self.percentile(0.99)

    @property
    def p999_ms(self) -> float:
        return self.percentile(0.999)

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ms, default=float("inf"))

    @property
    def bad(self) -> int:
        """Requests that failed or were never sent before the run ended."""
        return self.failures + self.unsent


class _Connection(asyncio.Protocol):
    """One kept-alive HTTP/1.1 connection that sends a request and reads the whole answer.

    A protocol rather than asyncio's streams: the client shares the machine with the server it
    measures, and every microsecond it spends is one the server does not get.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length, at = 0, head.find(b"\r\ncontent-length:")
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17:stop if stop >= 0 else len(head)])
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[:end + 4 + length]
        self.waiter.set_result((int(head[9:12]), b"\r\nconnection: close" in head))

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))

    async def exchange(self, request: bytes) -> int:
        """Send ``request``, read the answer to its last byte and return its status code."""
        loop = asyncio.get_running_loop()
        if self.transport is None:
            self.buffer.clear()
            await loop.create_connection(lambda: self, self.host, self.port)
        self.waiter = loop.create_future()
        self.transport.write(request)
        status, close = await self.waiter
        if close:
            self.close()
        return status

    def close(self) -> None:
        """Drop the connection (the next exchange opens a new one)."""
        if self.transport is not None:
            self.transport.close()
        self.transport = None


def post_request(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of an HTTP/1.1 POST of ``body`` to ``url`` with ``headers``, kept alive."""
    parts = urlsplit(url)
    lines = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _run(label: str, url: str, make_request: Callable[[], bytes], rate: float, duration: float,
               connections: int, grace: float, seed: int) -> OpenLoopResult:
    parts = urlsplit(url)
    result = OpenLoopResult(label, rate, duration)
    due: asyncio.Queue[float] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    # The schedule, fixed before the first request: offsets of a Poisson process (seeded, so runs
    # at the same rate face the same arrivals).
    draw, offsets, offset = random.Random(seed), [], 0.0
    while True:
        offset += draw.expovariate(rate)
        if offset >= duration:
            break
        offsets.append(offset)
    total = len(offsets)

    async def serve(connection: _Connection) -> None:
        while True:
            scheduled = await due.get()
            try:
                status = await connection.exchange(make_request())
            except (OSError, ValueError):
                connection.close()
                result.failures += 1
            else:
                if 200 <= status < 300:
                    result.latencies_ms.append((loop.time() - scheduled) * 1000)
                else:
                    result.failures += 1
            due.task_done()

    pool = [_Connection(parts.hostname, parts.port or 80) for _ in range(connections)]
    servers = [asyncio.create_task(serve(connection)) for connection in pool]
    start = loop.time() + 0.01
    sent = 0
    while sent < total:
        now = loop.time()
        # Everything due by now joins the queue with its own scheduled moment: a late wake-up of
        # this loop delays sending but never hides the delay, which counts from the schedule.
        while sent < total and start + offsets[sent] <= now:
            due.put_nowait(start + offsets[sent])
            sent += 1
        if sent < total:
            await asyncio.sleep(max(0.0, start + offsets[sent] - loop.time()))
    try:
        await asyncio.wait_for(due.join(), timeout=grace)
    except asyncio.TimeoutError:
        result.unsent = due.qsize()
    for task in servers:
        task.cancel()
    await asyncio.gather(*servers, return_exceptions=True)
    for connection in pool:
        connection.close()
    return result


def run(label: str, url: str, make_request: Callable[[], bytes], rate: float, duration: float,
        connections: int = 32, grace: float = 10.0, seed: int = 1) -> OpenLoopResult:
    """Send requests arriving at ``rate`` a second (Poisson) for ``duration`` seconds over at most
    ``connections`` kept-alive connections; return what was measured (``make_request`` gives each
    request's bytes; requests still queued ``grace`` seconds after the last arrival count as unsent)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = asyncio.run(_run(label, url, make_request, rate, duration, connections, grace, seed))
    after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return result
