#!/bin/sh
# systemd-verify.sh: check the generated unit file with systemd-analyze verify.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not installed"
	exit 77
fi
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sed -e "s|@bindir@|$(cd "$top_builddir/src" && pwd)|g" \
    -e "s|@sysconfdir@|$(cd "$top_srcdir/conf" && pwd)|g" \
    "$top_srcdir/systemd/dsrouterd.service.in" > "$tmp/dsrouterd.service"
# Documentation=man:dsrouterd(8) must resolve to our page (where man exists).
if ! command -v man >/dev/null 2>&1; then
	echo "note: no man command; not checking Documentation="
	sed -i '/^Documentation=/d' "$tmp/dsrouterd.service"
fi
mkdir -p "$tmp/man/man8"
cp "$top_srcdir/man/dsrouterd.8" "$tmp/man/man8/"
out=$(MANPATH="$tmp/man" timeout 60 systemd-analyze verify "$tmp/dsrouterd.service" 2>&1)
status=$?
echo "$out"
# Warnings about the host (no D-Bus, missing /run/dsrouterd) are not ours.
if [ $status -ne 0 ] || echo "$out" | grep -q "dsrouterd.service:"; then
	echo "FAIL: systemd-analyze verify reported problems"
	exit 1
fi
# The unit's pre-start check must accept the sample configuration.
"$top_builddir/src/dsrouterd" -t -c "$top_srcdir/conf/dsrouterd.conf" || exit 1
echo "PASS: unit file verified"
