#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# ws-http.py: the tiny HTTP server that gives headless Chromium the page
# playing a browser runtime (tests/ws-page.html and tests/ws-runtime.mjs,
# nothing else) and prints what the page posts to /log.
#
# usage: ws-http.py DIR [HOST]   (HOST default 127.0.0.1; port 0)
# Prints "PORT n" first, then one "LOG text" line per post, flushed.
import http.server
import os
import sys

FILES = {
    "/ws-page.html": "text/html; charset=utf-8",
    "/ws-runtime.mjs": "text/javascript; charset=utf-8",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path not in FILES:
            self.send_error(404)
            return
        with open(os.path.join(sys.argv[1], path[1:]), "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", FILES[path])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        text = self.rfile.read(min(n, 4096)).decode("utf-8", "replace")
        for line in text.splitlines() or [""]:
            print("LOG " + line, flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    srv = http.server.ThreadingHTTPServer((host, 0), Handler)
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
