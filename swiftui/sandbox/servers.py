"""Entry points of the sandbox's processes (``python -m swiftui.sandbox.servers``).

Each server runs in its own process so that stopping the sandbox is a matter of signals.
Keystone reads its config path from the environment because oslo.config parses
``sys.argv`` on import; Swift servers get their ``swift.conf`` set before storage policies
and constraints are loaded, so nothing is read from ``/etc/swift``. Rings are built here
too: importing Swift pulls in eventlet, which must stay out of the processes that drive
the sandbox.
"""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

KEYSTONE_PORT_ENV = "SWIFTUI_SANDBOX_KEYSTONE_PORT"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64


class _QuietHandler(WSGIRequestHandler):
    """Keystone logs what matters itself; one line per request would only grow the log."""

    def log_message(self, format: str, *args: object) -> None:
        return


def run_keystone() -> int:
    port = int(os.environ[KEYSTONE_PORT_ENV])
    sys.argv = sys.argv[:1]
    from keystone.wsgi.api import application

    server = make_server(
        "127.0.0.1",
        port,
        application,
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    print(f"keystone listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()
    return 0


def run_swift(conf_path: str, app_section: str, swift_conf: str) -> int:
    from swift.common import constraints, storage_policy, utils

    utils.SWIFT_CONF_FILE = swift_conf
    storage_policy.reload_storage_policies()
    constraints.reload_constraints()
    from swift.common.wsgi import run_wsgi

    return int(run_wsgi(conf_path, app_section, verbose=True))


def build_rings(swift_dir: str, account: int, container: int, obj: int) -> None:
    """One-device, one-replica rings; ``object-1`` serves the second storage policy (PCA)."""
    from swift.common.ring import RingBuilder

    for ring_name, port in (
        ("account", account),
        ("container", container),
        ("object", obj),
        ("object-1", obj),
    ):
        builder = RingBuilder(part_power=6, replicas=1, min_part_hours=0)
        builder.add_dev(
            {
                "id": 0,
                "region": 1,
                "zone": 1,
                "ip": "127.0.0.1",
                "port": port,
                "device": "d1",
                "weight": 1.0,
                "meta": "",
            }
        )
        builder.rebalance()
        builder.get_ring().save(os.path.join(swift_dir, f"{ring_name}.ring.gz"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["keystone"]:
        return run_keystone()
    if argv[:1] == ["swift"] and len(argv) == 4:
        return run_swift(argv[1], argv[2], argv[3])
    if argv[:1] == ["rings"] and len(argv) > 1 and (len(argv) - 1) % 4 == 0:
        for start in range(1, len(argv), 4):
            swift_dir, *ports = argv[start : start + 4]
            build_rings(swift_dir, *(int(port) for port in ports))
        return 0
    print(
        "usage: servers keystone | swift CONF SECTION SWIFT_CONF | rings (DIR A C O)...",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
