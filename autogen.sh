#!/bin/sh
# SPDX-License-Identifier: MIT
# autogen.sh: generate the configure script from a git checkout.
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --force --install
