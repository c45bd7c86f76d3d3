/* Stage-1 identity map of the guest (mmu.c). */
#ifndef TESTGUEST_MMU_H
#define TESTGUEST_MMU_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SIZE (1ull << 21)

enum mem_kind { MEM_NORMAL, MEM_DEVICE };

/* Maps [base, base + size) rounded out to 2 MiB blocks, VA = PA; entries
 * already valid are left as they are. False if out of tables or VA. */
bool mmu_map(uint64_t base, uint64_t size, enum mem_kind kind);
void mmu_enable(uintptr_t dtb, uint64_t dtb_size);
unsigned mmu_tables_used(void);
unsigned mmu_tables_max(void);

#endif
