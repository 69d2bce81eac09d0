/* SPDX-License-Identifier: MIT */
/* realnet/jobreq.c - being written (see docs/realnet.md). */
#include "realnet/jobreq.h"
