/*
 * The root task. For now it reports what the kernel handed it; instantiating
 * the system spec (and then exiting) arrives with the spec loader.
 */
#include <libcairn/start.h>
#include <stdio.h>

int main(void)
{
	const struct cairn_bootinfo *bi = cairn_bootinfo;

	if (bi == NULL || bi->magic != CAIRN_BOOTINFO_MAGIC) {
		printf("root: no BootInfo from the kernel\n");
		return 1;
	}
	printf("root: running at EL0; %lu untyped caps in slots %lu-%lu "
	       "(%lu MiB RAM, %lu MiB device MMIO), free slots %lu-%lu\n",
	       bi->untyped_count, bi->untyped_first,
	       bi->untyped_first + bi->untyped_count - 1, bi->ram_bytes >> 20,
	       bi->device_bytes >> 20, bi->free_first, bi->free_end - 1);
	printf("root: nothing more to do until the spec loader exists; "
	       "parking\n");
	return 0;
}
