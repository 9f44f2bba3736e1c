// SPDX-License-Identifier: MIT
// ws-runtime.mjs: a fake .NET browser runtime whose diagnostic server
// connects out over a WebSocket, as a WebAssembly app's does. The same
// module runs in Node (node --experimental-websocket on Node 20, a plain
// `node` from 22 on) and in a browser page (tests/ws-page.html).
//
// Each WebSocket connection starts with the advertise (ADVR_V1, cookie,
// pid), carries one command and its answer, then closes; the runtime
// connects again at once, as a connect-mode runtime does. Commands:
//   ProcessInfo (4,0)       answer (pid, cookie, command line, OS, arch)
//   ResumeRuntime (4,1)     OK
//   CollectTracing* (2,2-6) OK with a session id, a new connection at
//                           once, then `stream` bytes of the pattern below,
//                           in messages of varying sizes, then close
//   StopTracing (2,1)       OK with the session id; ends a stream
//   anything else           Error UNKNOWN_COMMAND
// The stream's byte at offset i is pattern(i) = (i * 0x9E3779B1) >>> 24
// (32-bit), which never repeats within 4 GiB: a lost, doubled or moved
// chunk shows.
//
// Node usage (for tests and benchmarks):
//   node --experimental-websocket tests/ws-runtime.mjs --url ws://127.0.0.1:8088/diagnostics
//        [--pid N] [--cookie 32-hex] [--stream BYTES] [--chunk BYTES]
//        [--connections N] [--pregen] [--tcp HOST:PORT] [--verbose]
// --chunk fixes the message size of a stream (default: a cycle of sizes
// from 1 byte to 300 KB); --connections stops after that many
// connections; --pregen computes the stream's bytes once, before the
// first connection, so that sending them costs only the transport (for
// benchmarks); --tcp connects over plain TCP to a router's tcp-server
// instead of a WebSocket (the same runtime, the baseline of make bench's
// WebSocket row). Log lines go to standard error.

const IPC_MAGIC = [0x44, 0x4f, 0x54, 0x4e, 0x45, 0x54, 0x5f, 0x49, 0x50, 0x43,
	0x5f, 0x56, 0x31, 0x00];
const ADV_MAGIC = [0x41, 0x44, 0x56, 0x52, 0x5f, 0x56, 0x31, 0x00];
const E_UNKNOWN_COMMAND = 0x80131385;
const E_UNKNOWN_MAGIC = 0x80131386;
const CHUNK_CYCLE = [65536, 1, 1000, 131072, 7, 65535, 300000, 4096, 20];

// The stream's bytes from offset `pos` into buf.
export function fillPattern(buf, pos) {
	for (let i = 0; i < buf.length; i++)
		buf[i] = Math.imul(pos + i, 0x9E3779B1) >>> 24;
}

function header(size, set, id) {
	const b = new Uint8Array(size);
	b.set(IPC_MAGIC, 0);
	new DataView(b.buffer).setUint16(14, size, true);
	b[16] = set;
	b[17] = id;
	return b;
}

function okResult(result) {
	const b = header(24, 0xff, 0x00);
	new DataView(b.buffer).setUint32(20, result, true);
	return b;
}

function okSession(session) {
	const b = header(28, 0xff, 0x00);
	new DataView(b.buffer).setBigUint64(20, BigInt(session), true);
	return b;
}

function error(hresult) {
	const b = header(24, 0xff, 0xff);
	new DataView(b.buffer).setUint32(20, hresult, true);
	return b;
}

function utf16(s) {
	const b = new Uint8Array(4 + (s.length + 1) * 2);
	const v = new DataView(b.buffer);
	v.setUint32(0, s.length + 1, true);
	for (let i = 0; i < s.length; i++)
		v.setUint16(4 + 2 * i, s.charCodeAt(i), true);
	return b;
}

export function advertise(cookie, pid) {
	const b = new Uint8Array(34);
	b.set(ADV_MAGIC, 0);
	b.set(cookie, 8);
	new DataView(b.buffer).setBigUint64(24, BigInt(pid), true);
	return b;
}

export function processInfo(cookie, pid, commandLine, os, arch) {
	const parts = [utf16(commandLine), utf16(os), utf16(arch)];
	const size = 20 + 8 + 16 + parts.reduce((n, p) => n + p.length, 0);
	const b = header(size, 0xff, 0x00);
	new DataView(b.buffer).setBigUint64(20, BigInt(pid), true);
	b.set(cookie, 28);
	let off = 44;
	for (const p of parts) {
		b.set(p, off);
		off += p.length;
	}
	return b;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Run a fake runtime until stop() is called (or `connections` is reached).
export function runRuntime(opts) {
	const o = {
		pid: 4242,
		cookie: new Uint8Array(16).fill(0x5a),
		stream: 1 << 20,
		chunk: 0,
		connections: 0,
		commandLine: "fake-browser-runtime",
		os: "Browser",
		arch: "Wasm",
		log: () => {},
		...opts,
	};
	const WS = o.WebSocket ?? globalThis.WebSocket;
	let opened = 0, stopped = false, session = 0, delay = 10;
	const streams = new Set();

	const send = (ws, bytes) => {
		if (ws.readyState === 1)
			ws.send(bytes);
	};

	// With pregen, the whole stream once: sending it costs only the transport.
	let pre = null;
	if (o.pregen) {
		pre = new Uint8Array(o.stream);
		fillPattern(pre, 0);
	}

	async function stream(ws, id) {
		const st = { id, stop: false };
		streams.add(st);
		const buf = new Uint8Array(o.chunk > 0 ? o.chunk : Math.max(...CHUNK_CYCLE));
		let pos = 0, k = 0;
		try {
			while (pos < o.stream && !st.stop && !stopped &&
			    ws.readyState === 1) {
				const want = o.chunk > 0 ? o.chunk : CHUNK_CYCLE[k++ % CHUNK_CYCLE.length];
				const n = Math.min(want, o.stream - pos);
				let view;
				if (pre !== null) {
					view = pre.subarray(pos, pos + n);
				} else {
					view = buf.subarray(0, n);
					fillPattern(view, pos);
				}
				ws.send(view);
				pos += n;
				while (ws.bufferedAmount > (1 << 20) && ws.readyState === 1)
					await sleep(1);
			}
			while (ws.bufferedAmount > 0 && ws.readyState === 1)
				await sleep(2);
			o.log(`stream ${id}: ${pos} bytes sent`);
		} finally {
			streams.delete(st);
			ws.close(1000);
		}
	}

	function serve(ws, cmd) {
		const set = cmd[16], id = cmd[17];
		if (set === 0x04 && id === 0x00) {
			send(ws, processInfo(o.cookie, o.pid, o.commandLine, o.os, o.arch));
			o.log("ProcessInfo answered");
		} else if (set === 0x04 && id === 0x01) {
			send(ws, okResult(0));
		} else if (set === 0x02 && id >= 0x02 && id <= 0x06) {
			const sid = ++session;
			send(ws, okSession(sid));
			o.log(`CollectTracing: session ${sid}, ${o.stream} bytes`);
			connect();
			stream(ws, sid);
			return;
		} else if (set === 0x02 && id === 0x01) {
			const sid = new DataView(cmd.buffer, cmd.byteOffset).getBigUint64(20, true);
			for (const st of streams)
				if (BigInt(st.id) === sid)
					st.stop = true;
			send(ws, okSession(Number(sid)));
		} else {
			send(ws, error(E_UNKNOWN_COMMAND));
		}
		ws.close(1000);
		connect();
	}

	function connect() {
		if (stopped || (o.connections > 0 && opened >= o.connections))
			return;
		opened++;
		const n = opened;
		const ws = new WS(o.url);
		ws.binaryType = "arraybuffer";
		let input = new Uint8Array(0), served = false, wasOpen = false;
		ws.onopen = () => {
			wasOpen = true;
			delay = 10;
			o.log(`connection ${n} open`);
			send(ws, advertise(o.cookie, o.pid));
		};
		ws.onmessage = (ev) => {
			if (served || typeof ev.data === "string")
				return;
			const data = new Uint8Array(ev.data);
			const all = new Uint8Array(input.length + data.length);
			all.set(input, 0);
			all.set(data, input.length);
			input = all;
			if (input.length < 20)
				return;
			for (let i = 0; i < IPC_MAGIC.length; i++) {
				if (input[i] !== IPC_MAGIC[i]) {
					served = true;
					send(ws, error(E_UNKNOWN_MAGIC));
					ws.close(1000);
					connect();
					return;
				}
			}
			const size = input[14] | input[15] << 8;
			if (input.length < size)
				return;
			served = true;
			serve(ws, input.subarray(0, size));
		};
		ws.onclose = (ev) => {
			o.log(`connection ${n} closed: ${ev.code}${wasOpen ? "" : " (never open)"}`);
			if (!served && !stopped) {
				// An idle connection closed by the router: again at
				// once, or with the runtime's back-off if it failed.
				const d = wasOpen ? 0 : delay;
				delay = Math.min(Math.round(delay * 1.25), 500);
				setTimeout(connect, d);
			}
		};
		ws.onerror = () => o.log(`connection ${n}: error`);
	}

	connect();
	return {
		stop() {
			stopped = true;
		},
	};
}

// Node only: a socket to a router's tcp-server that looks like the
// WebSocket runRuntime uses (open, message, close; send, close,
// bufferedAmount), for a baseline over plain TCP.
async function tcpWebSocketClass(hostPort, copy) {
	const net = await import("node:net");
	const colon = hostPort.lastIndexOf(":");
	const host = hostPort.slice(0, colon).replace(/^\[|\]$/g, "");
	const port = Number(hostPort.slice(colon + 1));
	return class TcpRuntimeSocket {
		constructor() {
			this.readyState = 0;
			this.sock = net.connect({ host, port }, () => {
				this.readyState = 1;
				this.onopen?.();
			});
			this.sock.setNoDelay(true);
			this.sock.on("data", (b) => this.onmessage?.({
				data: b.buffer.slice(b.byteOffset, b.byteOffset + b.length),
			}));
			this.sock.on("error", () => this.onerror?.());
			this.sock.on("close", () => {
				this.readyState = 3;
				this.onclose?.({ code: 1000 });
			});
		}
		get bufferedAmount() {
			return this.sock.writableLength;
		}
		send(bytes) {
			// The stream reuses its buffer unless pre-generated: copy then.
			this.sock.write(copy ? Buffer.from(bytes) : bytes);
		}
		close() {
			if (this.readyState === 1) {
				this.readyState = 2;
				this.sock.end();
			}
		}
	};
}

// Node: the command line.
const isMain = typeof process !== "undefined" && process.argv?.[1] &&
    import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href;
if (isMain) {
	const args = process.argv.slice(2);
	const opt = {};
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		const v = () => {
			if (i + 1 >= args.length) {
				console.error(`ws-runtime: ${a} needs a value`);
				process.exit(2);
			}
			return args[++i];
		};
		if (a === "--url") opt.url = v();
		else if (a === "--pid") opt.pid = Number(v());
		else if (a === "--cookie") opt.cookie = Uint8Array.from(v().match(/../g).map((h) => parseInt(h, 16)));
		else if (a === "--stream") opt.stream = Number(v());
		else if (a === "--chunk") opt.chunk = Number(v());
		else if (a === "--connections") opt.connections = Number(v());
		else if (a === "--pregen") opt.pregen = true;
		else if (a === "--tcp") opt.tcp = v();
		else if (a === "--verbose") opt.log = (m) => console.error(`ws-runtime: ${m}`);
		else {
			console.error(`ws-runtime: unknown option ${a}`);
			process.exit(2);
		}
	}
	if (!opt.url && !opt.tcp) {
		console.error("usage: ws-runtime.mjs --url ws://HOST:PORT/PATH | --tcp HOST:PORT [--pid N] [--cookie HEX] [--stream BYTES] [--chunk BYTES] [--connections N] [--pregen] [--verbose]");
		process.exit(2);
	}
	if (opt.tcp)
		opt.WebSocket = await tcpWebSocketClass(opt.tcp, !opt.pregen);
	else if (typeof globalThis.WebSocket !== "function") {
		console.error("ws-runtime: no WebSocket in this Node: run it with --experimental-websocket (Node 20) or Node 22+");
		process.exit(2);
	}
	if (opt.cookie && opt.cookie.length !== 16) {
		console.error("ws-runtime: --cookie takes 32 hex digits");
		process.exit(2);
	}
	runRuntime(opt);
}
