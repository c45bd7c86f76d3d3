#pragma once

#include "boot/platform.h"

/*
 * Starts every CPU the DTB lists, other than the caller, with PSCI CPU_ON
 * and waits (bounded) for each to report in. Returns how many CPUs are
 * online, the caller included.
 */
size_t smp_start_secondaries(const struct platform *plat);
