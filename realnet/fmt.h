/* SPDX-License-Identifier: MIT */
/* realnet/fmt.h - being written (see docs/realnet.md). */
#pragma once
#include <glib.h>
