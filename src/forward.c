/* SPDX-License-Identifier: MIT */
/*
 * forward.c: a route's port forwarding to a physical device
 * (forward-port, the android and ios presets): adbfwd.c keeps an adb
 * reverse or forward on the devices, usbmux.c dials the device's port for
 * each command. Both work beside the event loop; this file ties them to the
 * route's life: start, dial, stop, reload, status.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "device.h"
#include "route.h"

/* Where adb is: --adb (or the adb key) in the place of $ADB, then the SDK, PATH. */
static char *
forward_adb(const struct route_conf *rc, char **cause)
{
	return adb_locate(rc->adb != NULL ? rc->adb : getenv("ADB"),
	    getenv("ANDROID_HOME"), getenv("ANDROID_SDK_ROOT"), getenv("PATH"),
	    cause);
}

/*
 * Whether the forwarding a route needs can work here (adb found, usbmux
 * built and libusbmuxd loadable): checked before any route starts, so that the daemon can say so
 * and stop with EX_UNAVAILABLE.
 */
int
forward_check(const struct route_conf *rc, char **cause)
{
	char *path, *why = NULL;

	if (rc->forward == FORWARD_ANDROID) {
		if ((path = forward_adb(rc, &why)) == NULL) {
			xasprintf(cause, "route %s: %s", rc->name, why);
			free(why);
			return -1;
		}
		free(path);
	}
	if (rc->forward == FORWARD_IOS) {
#ifdef HAVE_USBMUXD
		/* Loaded now, so that a missing library is EX_UNAVAILABLE too. */
		if (usbmux_lib_load(&why) != 0) {
			xasprintf(cause, "route %s: %s", rc->name, why);
			free(why);
			return -1;
		}
#else
		xasprintf(cause, "route %s: dsrouterd was built without usbmux "
		    "support (install libusbmuxd-dev and rebuild)", rc->name);
		return -1;
#endif
	}
	return 0;
}

/* Start the route's forwarding, once its listeners are up. */
int
forward_start(struct route *r, char **cause)
{
	const struct route_conf *rc = &r->conf;
	struct adbfwd_conf ac;
	const char *name;
	char *adb;
	uint16_t port;

	port = rc->runtime.port;
	if (rc->forward == FORWARD_ANDROID) {
		/* The real port of a runtime listener on port 0. */
		if (r->rt_l != NULL && (name = strrchr(listener_name(r->rt_l),
		    ':')) != NULL)
			port = (uint16_t)atoi(name + 1);
		if ((adb = forward_adb(rc, cause)) == NULL)
			return -1;
		memset(&ac, 0, sizeof ac);
		ac.adb = adb;
		ac.serial = rc->device;
		ac.dir = MODE_RUNTIME_SERVER(rc->mode) ? ADB_REVERSE : ADB_FORWARD;
		ac.host_port = port;
		ac.device_port = (uint16_t)(port - 1);
		ac.tag = r->tag;
		r->adb = adbfwd_new(r->base, &ac, cause);
		free(adb);
		if (r->adb == NULL)
			return -1;
	} else if (rc->forward == FORWARD_IOS) {
		if ((r->usbmux = usbmux_new(r->base, rc->device, port, r->tag,
		    cause)) == NULL)
			return -1;
		log_info(r->tag, "usbmux: the device's port %u on %s", port,
		    rc->device != NULL ? rc->device : "the first attached device");
	}
	return 0;
}

/* adbfwd removed what it made for a retired route. */
static void
forward_stopped(struct adbfwd *f, void *arg)
{
	struct route *r = arg;

	if (r->adb == f)
		r->adb = NULL;
	adbfwd_free(f);
}

/* A route is retired: undo its forwarding through the loop, not waiting. */
void
forward_stop(struct route *r)
{
	if (r->adb != NULL)
		adbfwd_stop(r->adb, forward_stopped, r);
	if (r->usbmux != NULL) {
		usbmux_free(r->usbmux);
		r->usbmux = NULL;
	}
}

/* A route is freed: undo its forwarding (adb: at most ADB_STOP_MS). */
void
forward_free(struct route *r)
{
	if (r->adb != NULL)
		adbfwd_free(r->adb);
	if (r->usbmux != NULL)
		usbmux_free(r->usbmux);
	r->adb = NULL;
	r->usbmux = NULL;
}

/* A reload replaces a route: the new one keeps what the old one made. */
void
forward_adopt(struct route *to, struct route *from)
{
	if (to->adb != NULL && from->adb != NULL)
		adbfwd_adopt(to->adb, from->adb);
}

/* Why no device serves the route (e.g. "no device attached"), or NULL. */
const char *
forward_summary(struct route *r)
{
	if (r->adb != NULL)
		return adbfwd_summary(r->adb);
	if (r->usbmux != NULL && usbmux_attached(r->usbmux) == 0)
		return "no device attached";
	return NULL;
}

/* A usbmux connect finished (on the loop). */
static void
forward_dialled(int fd, const char *why, void *arg)
{
	struct conn *c = arg;
	struct bufferevent *bev;

	c->usbmux_pending = 0;
	if (fd == -1) {
		dial_failed(c, why);
		return;
	}
	bev = bufferevent_socket_new(c->route->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("out of memory for a connection");
	conn_attach(c, bev);
	dial_connected(c);              /* may free c */
}

/* Dial the runtime through usbmux (the caller has set the state and timer). */
void
forward_dial(struct conn *c)
{
	c->usbmux_pending = 1;
	usbmux_connect(c->route->usbmux, forward_dialled, c);
}

/* A connection with a usbmux connect under way goes away. */
void
forward_cancel(struct conn *c)
{
	if (c->usbmux_pending && c->route->usbmux != NULL)
		usbmux_cancel(c->route->usbmux, c);
	c->usbmux_pending = 0;
}

/* The forwarders' state per device, for status. */
void
forward_status(struct route *r, struct evbuffer *out, int json)
{
	struct device_state *ds = NULL;
	const char *kind;
	size_t n = 0, i;
	time_t now = time(NULL);

	if (r->adb != NULL) {
		n = adbfwd_state(r->adb, &ds);
		kind = MODE_RUNTIME_SERVER(r->conf.mode) ? "adb reverse" :
		    "adb forward";
	} else if (r->usbmux != NULL) {
		n = usbmux_devices(r->usbmux, &ds);
		kind = "usbmux";
	} else {
		if (json)
			status_add(out, ",\"forwarders\":[]");
		return;
	}
	if (json)
		status_add(out, ",\"forwarders\":[");
	for (i = 0; i < n; i++) {
		if (!json) {
			evbuffer_add_printf(out, "    %s, device %s: %s (%lld s)\n",
			    kind, ds[i].name, ds[i].state,
			    (long long)(now - ds[i].since));
			continue;
		}
		evbuffer_add_printf(out, "%s{\"kind\":\"%s\",\"device\":", i > 0 ?
		    "," : "", kind);
		status_json_str(out, ds[i].name);
		status_add(out, ",\"state\":");
		status_json_str(out, ds[i].state);
		evbuffer_add_printf(out, ",\"since_s\":%lld}",
		    (long long)(now - ds[i].since));
	}
	if (n == 0 && !json)
		evbuffer_add_printf(out, "    %s: no device attached\n", kind);
	if (json)
		status_add(out, "]");
	device_state_free(ds, n);
}
