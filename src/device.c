/* SPDX-License-Identifier: MIT */
/* device.c: what the Android and iOS modules share: per-device states for a status command. */
#include "config.h"

#include <stdlib.h>

#include "dsrouterd.h"
#include "device.h"

/* Fill one status entry (copies of name and state). */
void
device_state_fill(struct device_state *ds, const char *name, const char *state,
    time_t since)
{
	ds->name = xstrdup(name);
	ds->state = xstrdup(state);
	ds->since = since;
}

/* Free the array adbfwd_state or usbmux_devices made. */
void
device_state_free(struct device_state *ds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ds[i].name);
		free(ds[i].state);
	}
	free(ds);
}
