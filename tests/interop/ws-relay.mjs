// SPDX-License-Identifier: MIT
// ws-relay.mjs: carries a real .NET runtime's diagnostic connections over
// WebSockets, as a browser app's runtime speaks them, for the
// interoperability scenario of server-websocket (a real WebAssembly runtime
// cannot run here). It listens on a Unix socket where the app connects
// (DOTNET_DiagnosticPorts=PATH,nosuspend); for each connection it opens a
// WebSocket to the router's URL and passes the bytes both ways unchanged,
// in binary messages: the runtime's advertise, the tool's command, the
// answer and any stream. An end of either side ends the other.
//
// usage: node [--experimental-websocket] ws-relay.mjs --listen PATH --url ws://HOST:PORT/PATH
import net from "node:net";
import fs from "node:fs";

const args = process.argv.slice(2);
let listen = null, url = null;
for (let i = 0; i < args.length; i++) {
	if (args[i] === "--listen" && i + 1 < args.length) listen = args[++i];
	else if (args[i] === "--url" && i + 1 < args.length) url = args[++i];
	else {
		console.error(`ws-relay: unknown argument ${args[i]}`);
		process.exit(2);
	}
}
if (!listen || !url || typeof globalThis.WebSocket !== "function") {
	console.error("usage: node [--experimental-websocket] ws-relay.mjs --listen PATH --url ws://HOST:PORT/PATH (Node 20 or later)");
	process.exit(2);
}

let n = 0;
const HIGH = 4 << 20;
const server = net.createServer((sock) => {
	const id = ++n;
	const ws = new WebSocket(url);
	ws.binaryType = "arraybuffer";
	let ended = false;
	sock.pause();
	ws.onopen = () => sock.resume();
	sock.on("data", (b) => {
		ws.send(b);
		// Back-pressure: stop reading the runtime while the WebSocket lags.
		if (ws.bufferedAmount > HIGH) {
			sock.pause();
			const again = () => {
				if (ws.readyState !== 1 || ws.bufferedAmount <= HIGH / 2)
					sock.resume();
				else
					setTimeout(again, 2);
			};
			setTimeout(again, 2);
		}
	});
	ws.onmessage = (ev) => sock.write(new Uint8Array(ev.data));
	const finish = (why) => {
		if (ended)
			return;
		ended = true;
		console.error(`ws-relay: connection ${id}: ${why}`);
	};
	sock.on("end", () => {
		finish("the runtime closed");
		ws.close(1000);
	});
	sock.on("error", () => {
		finish("runtime socket error");
		ws.close(1000);
	});
	ws.onclose = (ev) => {
		finish(`the router closed (${ev.code})`);
		sock.end();
	};
	ws.onerror = () => finish("WebSocket error");
});
try { fs.unlinkSync(listen); } catch { /* not there */ }
server.listen(listen, () => console.error(`ws-relay: listening on ${listen}, to ${url}`));
