#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-verify.sh: check the generated units with systemd-analyze verify,
# the system unit's sandbox with systemd-analyze security (at most 2.0),
# and the sample configuration the unit checks before starting.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not installed (apt-get install systemd)"
	exit 77
fi
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/user" "$tmp/man/man8" "$tmp/man/man5"
for unit in dsrouterd.service user/dsrouterd.service; do
	sed -e "s|@bindir@|$(cd "$top_builddir/src" && pwd)|g" \
	    -e "s|@sysconfdir@|$(cd "$top_srcdir/conf" && pwd)|g" \
	    "$top_srcdir/systemd/$unit.in" > "$tmp/$unit"
done
# Documentation= must resolve to our pages (where man exists).
if ! command -v man >/dev/null 2>&1; then
	echo "note: no man command; not checking Documentation="
	sed -i '/^Documentation=/d' "$tmp/dsrouterd.service" "$tmp/user/dsrouterd.service"
fi
cp "$top_srcdir/man/dsrouterd.8" "$tmp/man/man8/"
cp "$top_srcdir/man/dsrouterd.conf.5" "$tmp/man/man5/"
status=0
for unit in "$tmp/dsrouterd.service" "$tmp/user/dsrouterd.service"; do
	user=
	case $unit in */user/*) user=--user ;; esac
	out=$(MANPATH="$tmp/man" timeout 60 systemd-analyze verify $user "$unit" 2>&1)
	rc=$?
	echo "$out"
	# Warnings about the host (no D-Bus, no user dsrouterd) are not ours.
	if [ $rc -ne 0 ] && echo "$out" | grep -v "User=dsrouterd\|Group=dsrouterd\|Failed to connect to bus\|bus" | grep -q "dsrouterd.service:"; then
		echo "FAIL: systemd-analyze verify reported problems in $unit"
		status=1
	fi
done
# The sandbox: exposure at most 2.0 (systemd-analyze's 0 safe .. 10 unsafe).
if out=$(timeout 60 systemd-analyze security --offline=yes "$tmp/dsrouterd.service" 2>&1); then
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for dsrouterd.service: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security: $level"
	if [ -z "$level" ] || ! awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
		echo "$out" | grep '✗'
		echo "FAIL: exposure level '$level' is above 2.0"
		status=1
	fi
else
	echo "note: systemd-analyze security --offline is not available here"
fi
# The unit's pre-start check must accept the sample configuration (with
# root's group where the service's group does not exist yet).
conf="$top_srcdir/conf/dsrouterd.conf"
if ! getent group dsrouterd >/dev/null 2>&1; then
	sed 's/^socket-group = dsrouterd$/socket-group = 0/' "$conf" > "$tmp/dsrouterd.conf"
	conf="$tmp/dsrouterd.conf"
fi
TMPDIR="$tmp" "$top_builddir/src/dsrouterd" -t -c "$conf" || status=1
[ $status -eq 0 ] && echo "PASS: units verified"
exit $status
