#!/bin/sh
# SPDX-License-Identifier: MIT
# sandbox.sh: run the daemon as the service runs it, as far as this host
# allows without systemd: another user, no capabilities (empty bounding
# set), no new privileges, umask 0077; it must start, answer status and a
# tool, and stop cleanly. (The unit's seccomp filter and namespaces need
# systemd itself: systemd-analyze checks those in systemd-verify.sh.)
top_builddir=${top_builddir:-.}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to run the daemon as another user"
	exit 77
fi
if ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP: setpriv is not installed (apt-get install util-linux)"
	exit 77
fi
bin=$(cd "$top_builddir/src" && pwd)/dsrouterd
tmp=$(mktemp -d) || exit 1
chmod 0755 "$tmp"
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
run=$tmp/run
mkdir "$run" && chown 65534:65534 "$run" && chmod 0750 "$run"
cat > "$tmp/d.conf" <<CONF
[dsrouterd]
control-socket = $run/control.sock
[route a]
ipc-server = $run/a.sock
tcp-server = unix:$run/a-rt.sock
CONF
umask 0077
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    --bounding-set=-all --no-new-privs \
    "$bin" -c "$tmp/d.conf" > "$tmp/log" 2>&1 &
pid=$!
i=0
while ! grep -q " route(s), pid " "$tmp/log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$tmp/log"
		echo "FAIL: the daemon did not start as nobody without capabilities"
		exit 1
	fi
	sleep 0.05
done
mode=$(stat -c %a "$run/a.sock")
[ "$mode" = 600 ] || { echo "FAIL: tool socket mode $mode, not 600"; exit 1; }
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" status \
    --control-socket "$run/control.sock" 2>&1) ||
	{ echo "$out"; echo "FAIL: status did not answer"; exit 1; }
echo "$out" | grep -q "^route a: server-server" ||
	{ echo "$out"; echo "FAIL: status did not list the route"; exit 1; }
grep "CapEff\|CapBnd\|NoNewPrivs" "/proc/$pid/status"
grep -q "^CapBnd:	0000000000000000" "/proc/$pid/status" ||
	{ echo "FAIL: the daemon kept capabilities"; exit 1; }
kill -TERM "$pid"
wait "$pid"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/log"; echo "FAIL: exit $rc on SIGTERM"; exit 1; }
[ ! -e "$run/a.sock" ] || { echo "FAIL: socket left behind"; exit 1; }
echo "PASS: runs as nobody with no capabilities and no new privileges"
