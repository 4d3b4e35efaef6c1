"""The delay server's Python clients against the real server (``spectrum delay-server``).

The server comes from the built binary: ``$SPECTRUM_EXE``, else the newer of
``target/release/spectrum`` and ``target/debug/spectrum``; without one the tests that need
it are skipped, saying so.
"""

import asyncio
import json
import os
import pathlib
import select
import socket
import subprocess
import threading
import time

import pytest

from python_workloads.tcp import connect, open_async, request, request_async

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
START_TIMEOUT_S = 10


def spectrum_exe():
    """The spectrum binary to run the server from, or a skip that says why there is none."""
    env = os.environ.get("SPECTRUM_EXE")
    if env:
        if not pathlib.Path(env).is_file():
            pytest.fail(f"SPECTRUM_EXE={env} is not a file")
        return env
    # The newer one: a release build left from an older checkout may lack delay-server.
    built = [p for p in (ROOT / "target/release/spectrum", ROOT / "target/debug/spectrum")
             if p.is_file()]
    if not built:
        pytest.skip("no spectrum binary: run `cargo build` or set SPECTRUM_EXE")
    return str(max(built, key=lambda p: p.stat().st_mtime))


class Server:
    """A running ``spectrum delay-server`` and its control channel."""

    def __init__(self):
        exe = spectrum_exe()
        self.proc = subprocess.Popen(
            [exe, "delay-server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            self.proc.kill()
            err = self.proc.stderr.read().strip()
            pytest.fail(f"{exe} delay-server did not start: printed {line!r}; stderr: {err}")
        self.port = int(line.split()[1])

    def stats(self):
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=5)


@pytest.fixture
def server():
    s = Server()
    yield s
    if s.proc.poll() is None:
        s.stop()


def fake_server(answer):
    """A one-connection server that answers one request with ``answer(token)`` bytes,
    then closes; returns its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        with listener, listener.accept()[0] as conn:
            token = int.from_bytes(conn.recv(16)[:8], "little")
            conn.sendall(answer(token))

    threading.Thread(target=serve, daemon=True).start()
    return port


def test_a_request_comes_back_after_its_delay(server):
    sock = connect(server.port)
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    for token in range(5):
        t = time.perf_counter()
        request(sock, token, 2_000_000)
        assert time.perf_counter() - t >= 0.002
    sock.close()
    assert server.stats()["requests"] == 5


def test_async_requests_wait_together(server):
    delay_s = 0.05

    async def one(token):
        reader, writer = await open_async(server.port)
        t = time.perf_counter()
        await request_async(reader, writer, token, int(delay_s * 1e9))
        elapsed = time.perf_counter() - t
        writer.close()
        await writer.wait_closed()
        return elapsed

    async def many():
        return await asyncio.gather(*(one(t) for t in range(20)))

    t = time.perf_counter()
    waits = asyncio.run(many())
    assert min(waits) >= delay_s
    # Twenty 50 ms waits in parallel, not one after the other (1 s).
    assert time.perf_counter() - t < 0.5


def test_a_wrong_token_is_an_error():
    sock = connect(fake_server(lambda token: (token + 1).to_bytes(8, "little")))
    with pytest.raises(ConnectionError, match="token 8 to request 7"):
        request(sock, 7, 0)


def test_a_closed_connection_is_an_error_blocking_and_async():
    sock = connect(fake_server(lambda token: b"half"))
    with pytest.raises(ConnectionError, match="closed the connection"):
        request(sock, 1, 0)

    async def closed():
        reader, writer = await open_async(fake_server(lambda token: b""))
        try:
            await request_async(reader, writer, 1, 0)
        finally:
            writer.close()

    with pytest.raises(ConnectionError, match="closed the connection"):
        asyncio.run(closed())


def test_a_server_that_stops_closes_its_connections(server):
    sock = connect(server.port)
    request(sock, 1, 0)
    server.stop()
    with pytest.raises(ConnectionError):
        request(sock, 2, 0)
