#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The trixie build root (gcc-14, pahole, dkms) for 7.x kernels: kept for
# its old name; scripts/build-root.sh makes every build root.
#
#   scripts/trixie-root.sh   ->  /var/cache/vmview/roots/trixie-build
exec "$(dirname "$0")/build-root.sh" trixie
