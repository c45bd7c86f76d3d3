/*
 * The kernel's view of physical memory. Kernel objects live in RAM retyped
 * from Untyped and are named by physical address; kmem_ptr() turns that into
 * a pointer the kernel can use. On AArch64 the kernel maps RAM 1:1; the host
 * unit tests back "RAM" with an arena.
 */
#pragma once

#include "arch/kmem.h" /* kmem_ptr(), kmem_pa() */
