"""The client side of spectrum's delay server (the ``tcp`` I/O kind), standard library only.

The server (``spectrum delay-server``, a process of its own on 127.0.0.1) answers each
request after the delay it asks for. Wire protocol:

- request, client -> server, 16 bytes: ``token`` and ``delay_ns``, both ``u64``
  little-endian (``struct '<QQ'``);
- reply, server -> client, 8 bytes: the same ``token``, once ``delay_ns`` has passed since
  the server read the request.

These functions run inside the measured window, once per op: one send and one receive,
nothing else.
"""

import asyncio
import socket
import struct

_REQUEST = struct.Struct("<QQ")
_REPLY = struct.Struct("<Q")
_CLOSED = "the delay server closed the connection"


def connect(port):
    """A blocking connection to the delay server on 127.0.0.1:``port``.

    TCP_NODELAY: a request is 16 bytes, which Nagle's algorithm would hold back while an
    earlier one is unacknowledged.
    """
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request(sock, token, delay_ns):
    """Asks for a reply after ``delay_ns`` and blocks until it arrives (GIL released)."""
    sock.sendall(_REQUEST.pack(token, delay_ns))
    reply = b""
    while len(reply) < _REPLY.size:
        chunk = sock.recv(_REPLY.size - len(reply))
        if not chunk:
            raise ConnectionError(_CLOSED)
        reply += chunk
    _check(token, reply)


async def open_async(port):
    """An asyncio stream pair ``(reader, writer)`` to the delay server, TCP_NODELAY set."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


async def request_async(reader, writer, token, delay_ns):
    """Asks for a reply after ``delay_ns`` and awaits it."""
    # No drain(): every request waits for its reply, so at most 16 bytes are ever
    # buffered, and an idle transport sends them at once.
    writer.write(_REQUEST.pack(token, delay_ns))
    try:
        reply = await reader.readexactly(_REPLY.size)
    except asyncio.IncompleteReadError:
        raise ConnectionError(_CLOSED) from None
    _check(token, reply)


def _check(token, reply):
    (echoed,) = _REPLY.unpack(reply)
    if echoed != token:
        raise ConnectionError(f"the delay server answered token {echoed} to request {token}")
