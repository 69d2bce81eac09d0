/* SPDX-License-Identifier: MIT */
/* realnet/ctld.h - the controller daemon (`sluice ctld`) and the node daemon
 * (`sluice noded`): entry points for the front end. */
#pragma once

int rn_ctld_main (int argc, char **argv);
int rn_noded_main (int argc, char **argv);
