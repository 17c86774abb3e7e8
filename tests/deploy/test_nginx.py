"""docs/deploy/nginx.conf as written, in front of two server processes with the production settings:
HTTP goes to HTTPS, the server trusts what nginx says about the client and the scheme, WebSockets
pass through, and /metrics is not public."""

import asyncio
import http.client
import json
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import websockets
from django.conf import settings

from tests.deploy.conftest import DEPLOY, production_environment
from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_servers, free_port

pytestmark = [pytest.mark.nginx, pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

NAME = "chat.example.com"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the example name and 127.0.0.1."""
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME},IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def _site(upstreams: list[int], http_port: int, https_port: int, certificate: Path, key: Path) -> str:
    """The documented site with this machine's ports and certificate; each replaced text must be there."""
    site = (DEPLOY / "nginx.conf").read_text()
    replacements = {
        "    server 127.0.0.1:8001;\n    server 127.0.0.1:8002;\n": "".join(
            f"    server 127.0.0.1:{port};\n" for port in upstreams
        ),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        f"/etc/letsencrypt/live/{NAME}/fullchain.pem": str(certificate),
        f"/etc/letsencrypt/live/{NAME}/privkey.pem": str(key),
    }
    for documented, here in replacements.items():
        assert documented in site, f"docs/deploy/nginx.conf no longer has {documented!r}"
        site = site.replace(documented, here)
    return site


@contextmanager
def _nginx(directory: Path, site: str, ports: list[int]) -> Iterator[None]:
    """nginx running `site` in the foreground, with everything it writes under `directory`."""
    (directory / "site.conf").write_text(site)
    (directory / "nginx.conf").write_text(
        f"pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {directory}/access.log;\n  client_body_temp_path {directory};\n"
        f"  proxy_temp_path {directory};\n  include {directory}/site.conf;\n}}\n"
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not all(_listening(port) for port in ports):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def _listening(port: int) -> bool:
    try:
        http.client.HTTPConnection("127.0.0.1", port, timeout=0.2).connect()
        return True
    except OSError:
        return False


def _get(connection: http.client.HTTPConnection, path: str, **headers: str) -> http.client.HTTPResponse:
    connection.request("GET", path, headers={"Host": NAME, **headers})
    response = connection.getresponse()
    response.read()
    return response


async def _sama(https_port: int, tls: ssl.SSLContext, token: str, device: str) -> websockets.ClientConnection:
    socket = await websockets.connect(f"wss://127.0.0.1:{https_port}/", ssl=tls)
    await socket.send(json.dumps({"request": {"connect": {"token": token, "device_id": device}, "id": "c"}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"response": {"id": "c", "success": True}}
    return socket


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
async def test_the_documented_nginx_serves_two_processes_over_tls(tmp_path: Path):
    alice, bob = await db(make_user)(), await db(make_user)()
    alice_token, bob_token = await db(access_token_for)(alice, "a"), await db(access_token_for)(bob, "b")
    certificate, key = _certificate(tmp_path)
    tls = ssl.create_default_context(cafile=str(certificate))
    http_port, https_port = free_port(), free_port()
    log = tmp_path / "servers.log"
    # The test's own key, which signed the tokens; the test's database and Redis.
    production = production_environment() | {"SECRET_KEY": settings.SECRET_KEY, "DATABASE_POOL_MAX": "4"}
    production = {k: v for k, v in production.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "EMAIL"))}
    with daphne_servers(2, env=production, log=log) as upstreams:
        site = _site(upstreams, http_port, https_port, certificate, key)
        with _nginx(tmp_path, site, [http_port, https_port]):
            plain = _get(http.client.HTTPConnection("127.0.0.1", http_port, timeout=5), "/readyz?x=1")
            assert (plain.status, plain.getheader("Location")) == (301, f"https://{NAME}/readyz?x=1")

            secure = http.client.HTTPSConnection("127.0.0.1", https_port, context=tls, timeout=5)
            ready = _get(secure, "/readyz", **{"X-Forwarded-For": "6.6.6.6", "X-Request-ID": "forged"})
            # Served, not redirected again: the server believes nginx's X-Forwarded-Proto ...
            assert ready.status == 200
            assert ready.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
            # ... and takes nginx's request id, not the client's.
            request_id = ready.getheader("X-Request-ID")
            assert request_id != "forged" and len(request_id) == 32
            assert _get(secure, "/metrics").status == 403

            # A message between two WebSockets through nginx, whichever processes they landed on.
            sender, receiver = (
                await _sama(https_port, tls, alice_token, "a"),
                await _sama(https_port, tls, bob_token, "b"),
            )
            await sender.send(
                json.dumps(
                    {"request": {"conversation_create": {"type": "u", "participants": [str(bob.pk)]}, "id": "1"}}
                )
            )
            conversation = json.loads(await asyncio.wait_for(sender.recv(), 5))["response"]["conversation"]["_id"]
            await sender.send(json.dumps({"message": {"id": "m1", "cid": conversation, "body": "through nginx"}}))
            received = {}
            while "message" not in received:
                received = json.loads(await asyncio.wait_for(receiver.recv(), 5))
            assert (received["message"]["body"], received["message"]["from"]) == ("through nginx", str(alice.pk))
            await sender.close()
            await receiver.close()

    # The server logged the client as nginx saw it, not the address the client forged.
    access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    readyz = [line for line in access if line.get("request") == request_id and line["logger"] == "access"]
    assert [(line["message"].split(" ms")[0].rsplit(" ", 1)[0], line["client"]) for line in readyz] == [
        ("GET /readyz 200", "127.0.0.1")
    ]
