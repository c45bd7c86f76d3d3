/* The kernel maps all RAM 1:1 at EL2 (see mmu.c), so PA and VA coincide. */
#include "kmem.h"

void *kmem_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

paddr_t kmem_pa(const void *p)
{
	return pa_init((uint64_t)(uintptr_t)p);
}
