#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# ws-browser-relay.py: carries a real .NET runtime's diagnostic connections
# through a real browser's WebSocket, for the interoperability scenario of
# server-websocket in headless Chromium (a real WebAssembly runtime cannot
# run here). The app connects to a Unix socket (DOTNET_DiagnosticPorts=
# PATH,nosuspend); for each of its connections the page this serves
# (ws-browser-relay.html) opens one WebSocket back to this relay and one to
# the router's URL and passes every message between them, so what reaches
# the router is Chromium's own handshake, masking and framing, and the
# bytes are the runtime's own.
#
# usage: ws-browser-relay.py --listen PATH
# Serves http://127.0.0.1:PORT/ws-browser-relay.html; prints "PORT n"
# first, then one "LOG text" line per line the page posts to /log.
import asyncio
import base64
import hashlib
import os
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "ws-browser-relay.html")
MAX_FRAME = 16 << 20

pending = {}    # connection id -> the app's (reader, writer), until bridged
controls = []   # the page's control WebSockets (writers)
backlog = []    # ids announced before the page was there
counter = 0


def log(text):
    print(text, flush=True)


def frame(opcode, payload=b""):
    """One unmasked, final frame, as a server sends."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def next_data(reader, writer):
    """The payload of the next data frame; None at a close or the end."""
    while True:
        try:
            b0, b1 = await reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", await reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await reader.readexactly(8))[0]
            if n > MAX_FRAME:
                return None
            mask = await reader.readexactly(4) if b1 & 0x80 else None
            data = await reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        if mask is not None and n > 0:
            key = (mask * (n // 4 + 1))[:n]
            data = (int.from_bytes(data, "little") ^
                    int.from_bytes(key, "little")).to_bytes(n, "little")
        opcode = b0 & 0x0F
        if opcode == 0x8:
            return None
        if opcode == 0x9:
            writer.write(frame(0xA, data))
        elif opcode in (0x0, 0x1, 0x2):
            return data


def announce(ident):
    if not controls:
        backlog.append(ident)
    for w in controls:
        w.write(frame(0x1, str(ident).encode()))


async def app_conn(reader, writer):
    """A connection of the runtime: held (unread) until the page takes it."""
    global counter
    counter += 1
    pending[counter] = (reader, writer)
    log("app connection %d" % counter)
    announce(counter)


async def bridge(ident, ws_r, ws_w, app_r, app_w):
    async def app_to_ws():
        while True:
            b = await app_r.read(65536)
            if not b:
                break
            ws_w.write(frame(0x2, b))
            await ws_w.drain()
        ws_w.write(frame(0x8, struct.pack("!H", 1000)))
        await ws_w.drain()

    async def ws_to_app():
        while True:
            d = await next_data(ws_r, ws_w)
            if d is None:
                break
            app_w.write(d)
            await app_w.drain()

    up = asyncio.ensure_future(app_to_ws())
    down = asyncio.ensure_future(ws_to_app())
    done, _ = await asyncio.wait([up, down],
                                 return_when=asyncio.FIRST_COMPLETED)
    if down in done:
        up.cancel()
    else:
        try:
            await asyncio.wait_for(down, 10)
        except asyncio.TimeoutError:
            pass
    app_w.close()
    ws_w.close()
    log("connection %d ended" % ident)


async def http_conn(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ConnectionError):
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, path = parts[0], parts[1].split("?", 1)[0] if len(parts) > 1 else ""
    h = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    if method == "GET" and path == "/ws-browser-relay.html":
        with open(PAGE, "rb") as f:
            body = f.read()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; "
                     b"charset=utf-8\r\nCache-Control: no-store\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                     % len(body) + body)
        await writer.drain()
        writer.close()
        return
    if method == "POST" and path == "/log":
        n = min(int(h.get("content-length", "0")), 4096)
        text = (await reader.readexactly(n)).decode("utf-8", "replace")
        for line in text.splitlines() or [""]:
            log("LOG " + line)
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    ident = None
    if path.startswith("/app/") and path[5:].isdigit():
        ident = int(path[5:])
    if (method != "GET" or h.get("upgrade", "").lower() != "websocket" or
            "sec-websocket-key" not in h or
            (path != "/control" and ident not in pending)):
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    accept = base64.b64encode(hashlib.sha1(
        h["sec-websocket-key"].encode() + GUID).digest())
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                 b"\r\n\r\n")
    if path == "/control":
        controls.append(writer)
        for i in backlog:
            writer.write(frame(0x1, str(i).encode()))
        backlog.clear()
        while await next_data(reader, writer) is not None:
            pass
        controls.remove(writer)
        writer.close()
        return
    app_r, app_w = pending.pop(ident)
    await bridge(ident, reader, writer, app_r, app_w)


async def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--listen":
        sys.stderr.write("usage: ws-browser-relay.py --listen PATH\n")
        sys.exit(2)
    try:
        os.unlink(sys.argv[2])
    except FileNotFoundError:
        pass
    await asyncio.start_unix_server(app_conn, path=sys.argv[2])
    srv = await asyncio.start_server(http_conn, "127.0.0.1", 0)
    log("PORT %d" % srv.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
