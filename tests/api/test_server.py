"""The shared socket of a multi-worker server."""

from __future__ import annotations

import asyncio
import socket

from support.server import free_port

from api.server import listening_socket


def test_connections_accepted_on_the_worker_socket_have_nagle_off():
    # Without TCP_NODELAY every keep-alive response waits for the client's delayed ACK.
    sock = listening_socket("127.0.0.1", free_port())
    accepted: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            accepted.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def connect_once():
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname())
            await asyncio.sleep(0.05)
            writer.close()

    asyncio.run(connect_once())
    assert accepted and accepted[0] != 0
