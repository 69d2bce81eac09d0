/* SPDX-License-Identifier: MIT */
/* realnet/store.c - being written (see docs/realnet.md). */
#include "realnet/store.h"
