/* kmem for host tests: "physical" RAM at HOST_RAM_BASE is a static arena. */
#include "host_kmem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

uint8_t host_ram[HOST_RAM_SIZE] __attribute__((aligned(4096)));

void *kmem_ptr(paddr_t pa)
{
	uint64_t off = pa_addr(pa) - HOST_RAM_BASE;

	if (pa_addr(pa) < HOST_RAM_BASE || off >= HOST_RAM_SIZE) {
		fail_msg("kmem_ptr(0x%lx): outside the test arena",
			 (unsigned long)pa_addr(pa));
	}
	return host_ram + off;
}

paddr_t kmem_pa(const void *p)
{
	return pa_init(HOST_RAM_BASE +
		       (uint64_t)((const uint8_t *)p - host_ram));
}
