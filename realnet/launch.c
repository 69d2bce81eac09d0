/* SPDX-License-Identifier: MIT */
/* realnet/launch.c - being written (see docs/realnet.md). */
#include "realnet/launch.h"
