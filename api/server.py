"""Running the HTTP service: one uvicorn process, or several worker processes on one socket."""

from __future__ import annotations

import logging
import socket

import uvicorn
from fastapi import FastAPI

from api import logs
from api.app import create_app
from api.security import exposure_problem, is_loopback
from api.settings import ServiceSettings

log = logging.getLogger("citeqa.server")


def serve(settings: ServiceSettings) -> None:
    """Serve `settings`' index on its host and port with `settings.workers` processes (blocks).

    Raises `OpenServiceRefused` when it would be open to the network with no keys.
    """
    logs.configure()
    problem = exposure_problem(settings)
    if problem is not None and not settings.allow_open:
        raise OpenServiceRefused(problem)
    if problem is not None:
        log.warning("serving openly (QA_ALLOW_OPEN=true): %s", problem)
    elif not (is_loopback(settings.host) or settings.admin_key_list or settings.allow_open):
        log.warning("adding and deleting documents over HTTP is off on %s: set QA_ADMIN_KEYS to allow it",
                    settings.host)
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
        return
    from uvicorn.supervisors import Multiprocess

    # Each worker builds its own app from the environment (they are spawned, not forked),
    # so the CLI's host and port only matter here, where the socket is bound.
    config = uvicorn.Config("api.server:worker_app", factory=True, host=settings.host, port=settings.port,
                            workers=settings.workers, log_config=None)
    Multiprocess(config, sockets=[listening_socket(settings.host, settings.port)]).run()


class OpenServiceRefused(RuntimeError):
    """Serving beyond loopback with no keys, not explicitly allowed."""


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory)."""
    logs.configure()
    return create_app(ServiceSettings())


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for the workers to share.

    Made with `proto=IPPROTO_TCP` on purpose: asyncio sets TCP_NODELAY only on
    accepted sockets that say so, and uvicorn's own multi-worker socket leaves
    it 0 (uvicorn issue #3149), which costs every keep-alive request a delayed
    ACK (≈ 40 ms on Linux).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
