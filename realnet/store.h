/* SPDX-License-Identifier: MIT */
/* realnet/store.h - being written (see docs/realnet.md). */
#pragma once
#include <glib.h>
