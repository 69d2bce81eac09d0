/* SPDX-License-Identifier: MIT */
/* realnet/jobreq.h - being written (see docs/realnet.md). */
#pragma once
#include <glib.h>
