#pragma once

#include "boot/bootimage.h"
#include "boot/platform.h"

/*
 * Builds the root task from its ELF module: a VSpace holding its segments,
 * stack, IPC buffer and BootInfo; a CSpace holding caps to those and Untyped
 * caps to all free RAM (taken from *free) and to device MMIO the kernel does
 * not keep; a TCB ready to run. Every boot module is mapped read-only from
 * CAIRN_ROOT_MODULES and listed in BootInfo. Panics with the reason if it
 * cannot.
 */
void root_task_create(const struct platform *plat, struct memmap *free,
		      const struct boot_modules *mods,
		      const struct boot_module *elf);
