/* SPDX-License-Identifier: MIT */
/* wsfind.h: the real WebSocket clients the WebSocket suites drive. */
#ifndef WSFIND_H
#define WSFIND_H

#include <stddef.h>

int wsfind_node(char *, size_t, char *, size_t);
int wsfind_chromium(char *, size_t);
int wsfind_chromium_args(const char **, const char *, const char *);

#endif
