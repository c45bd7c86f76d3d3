/*
 * PA <-> kernel pointer on AArch64: the kernel maps all RAM 1:1 at EL2 (see
 * mmu.c). Inline, because every capability lookup goes through it.
 */
#pragma once

#include "addr.h"

#include <stdint.h>

static inline void *kmem_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

static inline paddr_t kmem_pa(const void *p)
{
	return pa_init((uint64_t)(uintptr_t)p);
}
