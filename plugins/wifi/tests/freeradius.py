"""A real FreeRADIUS for the tests: the shipped configuration in a temporary folder, pointed at a
RAGEM test server on loopback, and radclient to send it real RADIUS packets.

Each pytest-xdist worker runs its own FreeRADIUS on free ports, and its own HTTP server.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

SHIPPED = Path(__file__).resolve().parents[1] / "freeradius"
FREERADIUS = shutil.which("freeradius") or shutil.which("radiusd")
RADCLIENT = shutil.which("radclient")
DICTIONARY_DIR = next((d for d in ("/usr/share/freeradius", "/usr/local/share/freeradius") if Path(d).is_dir()), None)
MODULES_DIR = next((d for d in ("/usr/lib/freeradius", "/usr/lib/x86_64-linux-gnu/freeradius",
                                "/usr/local/lib") if Path(d, "rlm_rest.so").exists()), None)

RADIUSD_CONF = """\
prefix = /usr
raddbdir = {confdir}
confdir = {confdir}
logdir = {confdir}/log
run_dir = {confdir}/run
radacctdir = {confdir}/log
libdir = {libdir}
dictdir = {dictdir}
db_dir = {confdir}
modconfdir = {confdir}/mods-config
name = freeradius
pidfile = {confdir}/run/freeradius.pid
max_request_time = 10
cleanup_delay = 2
max_requests = 4096
hostname_lookups = no
log {{
	destination = stdout
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}}
security {{
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}}
thread pool {{
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}}
modules {{
	$INCLUDE mods-enabled/
}}
policy {{
}}
$INCLUDE clients.conf
$INCLUDE sites-enabled/
"""
CLIENTS_CONF = """\
client loopback {{
	ipaddr = 127.0.0.1
	secret = {secret}
	shortname = loopback
	require_message_authenticator = no
	virtual_server = ragem_wifi
}}
"""


def missing_parts() -> str | None:
    """What of FreeRADIUS (server, radclient, dictionaries, rest module) is missing, or ``None``."""
    missing = [name for name, found in (("freeradius", FREERADIUS), ("radclient", RADCLIENT),
                                        ("the dictionaries", DICTIONARY_DIR), ("rlm_rest.so", MODULES_DIR))
               if not found]
    if missing:
        return ("not installed: " + ", ".join(missing)
                + " (apt-get install freeradius freeradius-rest freeradius-utils)")
    return None


def free_udp_ports(count: int) -> list[int]:
    """``count`` distinct UDP ports free on loopback right now."""
    sockets, ports = [], []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


class Dispatcher:
    """A WSGI app forwarding to whichever RAGEM app the current test set, so one HTTP server and one
    FreeRADIUS serve every test of a worker."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test app"]
        return self.app(environ, start_response)


class HttpServer:
    """A real threaded HTTP server on loopback (werkzeug), in a background thread."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()


class FreeRadius:
    """FreeRADIUS running the shipped module and site from ``confdir``, on loopback."""

    def __init__(self, confdir: Path, *, api_url: str, bearer_secret: str, radius_secret: str):
        self.confdir, self.radius_secret = confdir, radius_secret
        self.auth_port, self.acct_port = free_udp_ports(2)
        for sub in ("mods-enabled", "sites-enabled", "log", "run", "mods-config"):
            (confdir / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(SHIPPED / "mods-available" / "ragem_wifi", confdir / "mods-enabled" / "ragem_wifi")
        # The site's %{md5:...} comes from the expr module, enabled in every stock installation.
        (confdir / "mods-enabled" / "expr").write_text("expr {\n}\n")
        site = (SHIPPED / "sites-available" / "ragem_wifi").read_text()
        # The shipped site listens on every address on the standard ports: here loopback, free ports.
        site = site.replace("ipaddr = *\n\t\tport = 1812", f"ipaddr = 127.0.0.1\n\t\tport = {self.auth_port}")
        site = site.replace("ipaddr = *\n\t\tport = 1813", f"ipaddr = 127.0.0.1\n\t\tport = {self.acct_port}")
        assert str(self.auth_port) in site and str(self.acct_port) in site, "the shipped site's listen sections moved"
        (confdir / "sites-enabled" / "ragem_wifi").write_text(site)
        (confdir / "radiusd.conf").write_text(RADIUSD_CONF.format(confdir=confdir, libdir=MODULES_DIR,
                                                                  dictdir=DICTIONARY_DIR))
        (confdir / "clients.conf").write_text(CLIENTS_CONF.format(secret=radius_secret))
        env = {**os.environ, "RAGEM_WIFI_API_URL": api_url, "RAGEM_WIFI_RADIUS_SECRET": bearer_secret}
        self.log = open(confdir / "log" / "radiusd.out", "w")
        self.process = subprocess.Popen([FREERADIUS, "-f", "-X", "-d", str(confdir), "-n", "radiusd"],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("FreeRADIUS exited:\n" + self.output()[-4000:])
            if "Ready to process requests" in self.output():
                return
            time.sleep(0.1)
        raise RuntimeError("FreeRADIUS did not start:\n" + self.output()[-4000:])

    def output(self) -> str:
        """What FreeRADIUS printed so far (its debug log)."""
        self.log.flush()
        return (self.confdir / "log" / "radiusd.out").read_text(errors="replace")

    def stop(self) -> None:
        """Stop FreeRADIUS."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def send(self, kind: str, attributes: dict, *, retries: int = 1) -> tuple[str, dict]:
        """Send one packet (``kind`` is ``auth`` or ``acct``) with radclient; the reply's code
        (``Access-Accept``, ``Access-Reject``, ``Accounting-Response``, or ``no reply``) and its
        attributes (name -> list of values)."""
        port = self.auth_port if kind == "auth" else self.acct_port
        lines = ", ".join(f'{name} = "{value}"' if isinstance(value, str) else f"{name} = {value}"
                          for name, value in attributes.items())
        done = subprocess.run([RADCLIENT, "-x", "-r", str(retries), "-t", "6", f"127.0.0.1:{port}", kind,
                               self.radius_secret], input=lines + "\n", capture_output=True, text=True, timeout=60)
        match = re.search(r"^Received (\S+) Id", done.stdout, re.MULTILINE)
        if not match:
            return "no reply", {}
        reply: dict[str, list] = {}
        for line in done.stdout[match.end():].splitlines()[1:]:
            found = re.match(r"^\s+([A-Za-z0-9-]+) = (.*)$", line)
            if not found:
                break
            reply.setdefault(found.group(1), []).append(found.group(2).strip().strip('"'))
        return match.group(1), reply
