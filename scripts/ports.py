"""Say at once, and with the fix, when a port a local server wants is taken.

gunicorn retries a busy port for 5 s and werkzeug names no setting; a newcomer
running a second app needs the make variable (``PORT=``) and ``PORT=0``.
"""

from __future__ import annotations

import errno
import socket


class PortBusyError(RuntimeError):
    """The port is held by another process; the message says which setting to change."""


def check_port_free(host: str, port: int, command: str) -> None:
    """Raise PortBusyError unless ``host:port`` can be bound (port 0 always can).

    ``command`` is what the user typed, e.g. ``make run APP=hello``: the message
    repeats it with ``PORT=`` so the fix can be pasted. SO_REUSEADDR as the
    servers set it, so a port in TIME_WAIT after a stopped server counts as free.
    """
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise PortBusyError(
                f"port {port} on {host} is in use (another server, perhaps one you started "
                f"earlier): stop it, or choose another port: {command} PORT={port + 1}, "
                f"or {command} PORT=0 for any free port",
            ) from None
