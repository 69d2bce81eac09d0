/* SPDX-License-Identifier: MIT */
/* realnet/fmt.c - being written (see docs/realnet.md). */
#include "realnet/fmt.h"
