/* SPDX-License-Identifier: MIT */
/* realnet/launch.h - being written (see docs/realnet.md). */
#pragma once
#include <glib.h>
