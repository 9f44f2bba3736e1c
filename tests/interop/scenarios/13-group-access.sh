#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 13: group access: a member uid traces through the router, a non-member is refused
#
# The router runs as root with the service's access settings, for a group
# made for the test (the installed service uses group dsrouterd): a member
# of the group and a user outside it, two uids made for the test, each run
# the real `dotnet-trace collect --diagnostic-port SOCK,connect`.
#
# 1. The service's way, from a configuration file as the service has it
#    ([dsrouterd] socket-group = G, socket-mode = 0660): the tool socket is
#    root:G 0660; the member's trace is complete and the app's; the
#    non-member's connect is refused by the kernel (Permission denied) and
#    nothing reaches the router.
# 2. A socket anyone may open (--socket-mode 0666) with --allow-groups G:
#    the non-member reaches the router, which refuses it with an IPC error
#    (dotnet-trace reports HRESULT 0x80070005, access denied) and logs
#    "refused a tool of uid N"; `status` counts it as access_denied and no
#    session; the member's trace is complete.
#
# Needs root (to make the users and the group, and to switch to them); else
# skipped, saying so. The users and the group are removed at the end.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

if [ "$(id -u)" -ne 0 ]; then
	note "SKIP: this scenario makes a group and two users and runs the tools as them: it needs root (uid $(id -u))"
	exit 77
fi
for c in groupadd useradd userdel groupdel setpriv; do
	if ! command -v "$c" > /dev/null 2>&1; then
		note "SKIP: $c is not installed (groupadd, useradd and setpriv make the test's users)"
		exit 77
	fi
done
if [ -z "$DOTNET_TRACE" ]; then
	note "SKIP: dotnet-trace is not installed: $(cat "$RUN/st-dotnet-trace")"
	exit 77
fi

# The group and the users, named after this shell's pid (other runs may
# be going on); whatever an earlier run left behind (its shell gone) is
# removed first.
for u in $(getent passwd | sed -n 's/^\(dsri[mo][0-9][0-9]*\):.*/\1/p'); do
	kill -0 "${u#dsri?}" 2>/dev/null || userdel "$u" 2>/dev/null
done
for g in $(getent group | sed -n 's/^\(dsrig[0-9][0-9]*\):.*/\1/p'); do
	kill -0 "${g#dsrig}" 2>/dev/null || groupdel "$g" 2>/dev/null
done
G=dsrig$$ MEMBER=dsrim$$ OTHER=dsrio$$
PG=nogroup
getent group "$PG" > /dev/null || PG=nobody
# shellcheck disable=SC2317 # run by the trap
remove_ids() {
	userdel "$MEMBER" 2>/dev/null
	userdel "$OTHER" 2>/dev/null
	groupdel "$G" 2>/dev/null
}
trap 'end_tracked; remove_ids' EXIT
groupadd "$G" || abort "groupadd $G failed"
useradd -M -N -g "$PG" -G "$G" -d /nonexistent -s /usr/sbin/nologin "$MEMBER" ||
	abort "useradd $MEMBER failed"
useradd -M -N -g "$PG" -d /nonexistent -s /usr/sbin/nologin "$OTHER" ||
	abort "useradd $OTHER failed"
note "group $G ($(getent group "$G" | cut -d: -f3)); member $MEMBER ($(id "$MEMBER")); non-member $OTHER ($(id "$OTHER"))"

# The users reach the sockets in D (and nothing else of the run: no
# listing, only the paths they are given) and have a home of their own in
# it, as dotnet needs a writable HOME and DOTNET_CLI_HOME. TMPDIR under D
# keeps their processes the driver's to end.
chmod o+x "$RUN" "$D"
for u in "$MEMBER" "$OTHER"; do
	mkdir -p "$D/home-$u" && chown "$u" "$D/home-$u" && chmod 0700 "$D/home-$u"
done

# as_user USER CMD...: CMD as USER (its groups from the group file).
as_user() {
	local u=$1
	shift
	env HOME="$D/home-$u" DOTNET_CLI_HOME="$D/home-$u" TMPDIR="$D/home-$u" \
		setpriv --reuid "$u" --regid "$PG" --init-groups "$@"
}

# trace_as USER NAME SOCK: the real dotnet-trace as USER through SOCK for
# 2 s (output D/NAME.out, trace in USER's home); its exit status.
trace_as() {
	local u=$1 name=$2 sock=$3
	as_user "$u" timeout 60 "$DOTNET_TRACE" collect --diagnostic-port "$sock,connect" \
		--providers "$PROVIDER" --duration 00:00:00:02 -o "$D/home-$u/$name.nettrace" \
		< /dev/null > "$D/$name.out" 2>&1
}

# member_trace NAME SOCK: the member's trace is complete and the app's.
member_trace() {
	local name=$1 sock=$2 f
	f=$D/home-$MEMBER/$1.nettrace
	if ! trace_as "$MEMBER" "$name" "$sock" || ! grep -q 'Trace completed' "$D/$name.out"; then
		fail "dotnet-trace as $MEMBER (uid $(id -u "$MEMBER"), in $G) through $sock failed"
		show "$D/$name.out"
		return 1
	fi
	ok "dotnet-trace as $MEMBER (uid $(id -u "$MEMBER"), a member of $G) through $sock: Trace completed"
	check_trace "$f" "its trace" || return 1
	"$DSR_IPC" nettrace-check "$f" "$PROVIDER" > "$D/chk.out"
	if [ "$(kv "$D/chk.out" pid)" = "$APP_PID" ]; then
		ok "its trace is the app's (the header names pid $APP_PID)"
	else
		fail "its trace names pid $(kv "$D/chk.out" pid), not the app's $APP_PID"
	fi
}

# sessions CTL: the route's sessions so far, from status --json.
sessions() {
	"$DSROUTERD" status --json --control-socket "$1" > "$D/st.json" 2>&1 &&
		json_at "$D/st.json" '["routes",0,"sessions_total"]'
}

# ---- 1. The service's configuration: a socket of group G, mode 0660.
mkdir -p "$D/svc" && chmod 0755 "$D/svc"
cat > "$D/svc.conf" << EOF
[dsrouterd]
log-level = debug
control-socket = $D/svc.ctl
socket-group = $G
socket-mode = 0660

[route app]
ipc-server = $D/svc/app.sock
tcp-server = unix:$D/rt.sock
EOF
keep_earlier "$D/svc.log"
"$DSROUTERD" -c "$D/svc.conf" 2> "$D/svc.log" &
PID[svc]=$!
track "${PID[svc]}"
wait_for "$D/svc.log" 'running [0-9]+ route' 10 || abort "the router did not start with $D/svc.conf"
note "router svc (pid ${PID[svc]}, root): dsrouterd -c svc.conf ([dsrouterd] socket-group = $G, socket-mode = 0660; [route app] ipc-server = svc/app.sock, tcp-server = unix:rt.sock)"
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/svc.log" "runtime pid $APP_PID connected" 10 || abort "the router never saw the app"
st=$(stat -c '%U:%G %a' "$D/svc/app.sock")
if [ "$st" = "root:$G 660" ]; then
	ok "the tool socket svc/app.sock is $st"
else
	fail "the tool socket svc/app.sock is $st, not root:$G 660"
fi

member_trace m-svc "$D/svc/app.sock"

have_json && before=$(sessions "$D/svc.ctl")
if trace_as "$OTHER" o-svc "$D/svc/app.sock"; then
	fail "dotnet-trace as $OTHER (not in $G) through the 0660 socket succeeded"
elif grep -q 'Permission denied' "$D/o-svc.out"; then
	ok "dotnet-trace as $OTHER (uid $(id -u "$OTHER"), not in $G) is refused by the socket's mode: '$(grep -m1 -o 'ServerNotAvailableException.*' "$D/o-svc.out")'"
else
	fail "dotnet-trace as $OTHER failed, but not with Permission denied"
	show "$D/o-svc.out"
fi
if have_json; then
	after=$(sessions "$D/svc.ctl")
	if [ -n "$before" ] && [ "$before" = "$after" ] && ! grep -q "uid $(id -u "$OTHER")" "$D/svc.log"; then
		ok "nothing of $OTHER's reached the router: sessions_total $after before and after, no log line of uid $(id -u "$OTHER")"
	else
		fail "the router saw $OTHER's attempt: sessions_total $before -> $after"
	fi
fi

# ---- 2. A socket anyone may open, and --allow-groups: the router refuses.
kill -TERM "${PID[svc]}"
wait_exit "${PID[svc]}" 10 || fail "the router did not exit on SIGTERM"
start_router open server-server -ipcs "$D/svc/open.sock" -tcps "unix:$D/rt.sock" \
	--socket-mode 0666 --allow-groups "$G" --control-socket "$D/open.ctl" || exit 1
wait_for "$D/open.log" "runtime pid $APP_PID connected" 20 || abort "the app never reconnected to the second router"
st=$(stat -c '%a' "$D/svc/open.sock")
[ "$st" = 666 ] || fail "svc/open.sock has mode $st, not 666"

have_json && before=$(sessions "$D/open.ctl")
uid=$(id -u "$OTHER")
if trace_as "$OTHER" o-open "$D/svc/open.sock"; then
	fail "dotnet-trace as $OTHER (not in $G) through the 0666 socket with --allow-groups $G succeeded"
elif grep -q '0x80070005' "$D/o-open.out"; then
	ok "dotnet-trace as $OTHER (uid $uid, not in $G) through the 0666 socket fails with the router's IPC error: '$(grep -m1 -o 'ServerErrorException.*' "$D/o-open.out")' (E_ACCESSDENIED)"
else
	fail "dotnet-trace as $OTHER failed, but not with the router's access denied (0x80070005)"
	show "$D/o-open.out"
fi
if grep -q "refused a tool of uid $uid (pid [0-9]*): not in allow-users or allow-groups" "$D/open.log"; then
	ok "router: '$(grep -m1 "refused a tool of uid $uid" "$D/open.log" | log_msg)'"
else
	fail "the router did not log 'refused a tool of uid $uid'"
fi
if have_json; then
	after=$(sessions "$D/open.ctl")
	denied=$(json_at "$D/st.json" '["routes",0,"errors","access_denied"]')
	if [ "$denied" = 1 ] && [ -n "$before" ] && [ "$before" = "$after" ]; then
		ok "status --json: errors.access_denied $denied, sessions_total $after before and after (nothing reached the runtime)"
	else
		fail "status --json: errors.access_denied '$denied', sessions_total $before -> $after"
	fi
fi
member_trace m-open "$D/svc/open.sock"

scenario_end
