/* Host tests back "RAM" with an arena and check every translation
 * (host_kmem.c). */
#pragma once

#include "addr.h"

void *kmem_ptr(paddr_t pa);
paddr_t kmem_pa(const void *p);
