/* libcairn: what a program learns at start-up. */
#pragma once

#include <cairn/bootinfo.h>

/* The root task's BootInfo (x0 at entry), or NULL for other programs. */
extern const struct cairn_bootinfo *cairn_bootinfo;

/* A component's start flags (CAIRN_BOOT_*: x0 at entry, from the root
 * task); the root task's are in its BootInfo. */
extern unsigned long cairn_start_flags;
