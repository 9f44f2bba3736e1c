#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# .ci/package.sh: build the Debian package from a clean copy of the tree,
# check it with lintian and its file list, install it, purge it, and check
# that nothing of it is left. Run as root on a throw-away machine (CI).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: package: $*"; exit 1; }

version=$(sed -n '1s/^dsrouterd (\([^)]*\)).*/\1/p' debian/changelog)
src="$work/dsrouterd-$version"
mkdir -p "$src"
git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$src") ||
	fail "cannot copy the tree"
(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
	> "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$work"/dsrouterd_"$version"_*.deb) || fail "no .deb built"
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

lintian --allow-root --fail-on error "$deb" || fail "lintian reports errors"
echo "lintian: no errors"

files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for want in /usr/bin/dsrouterd /lib/systemd/system/dsrouterd.service \
    /usr/lib/systemd/user/dsrouterd.service /usr/lib/sysusers.d/dsrouterd.conf \
    /usr/share/man/man8/dsrouterd.8.gz /usr/share/man/man5/dsrouterd.conf.5.gz \
    /etc/dsrouterd.conf /usr/share/bash-completion/completions/dsrouterd \
    /usr/share/doc/dsrouterd/copyright; do
	echo "$files" | grep -qx "$want" || fail "$want is not in the package"
done
dpkg-deb -f "$deb" Conffiles >/dev/null
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/dsrouterd.conf ||
	fail "/etc/dsrouterd.conf is not a conffile"
echo "file list: all there"

dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i failed"; }
getent passwd dsrouterd >/dev/null || fail "no user dsrouterd after install"
getent group dsrouterd >/dev/null || fail "no group dsrouterd after install"
/usr/bin/dsrouterd -t -c /etc/dsrouterd.conf || fail "the installed configuration does not check"
echo "installed: user and group dsrouterd, configuration checks"

dpkg --purge dsrouterd > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge failed"; }
left=
for f in $(echo "$files" | grep -v '/$'); do
	[ -e "$f" ] && left="$left $f"
done
for f in /etc/dsrouterd.conf /etc/systemd/system/multi-user.target.wants/dsrouterd.service; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
[ -z "$left" ] || fail "left behind after purge:$left"
echo "PASS: package built, checked, installed and purged without a trace"
