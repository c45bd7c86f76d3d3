/*
 * The root task. For now a placeholder that proves the user-level toolchain
 * (picolibc, its crt0 and linker script): the kernel packs it into the image
 * and validates it, but starts it only once the capability core can create
 * user threads. Then it will instantiate the system spec and exit.
 */
#include <stdlib.h>
#include <string.h>

static char greeting[] = "cairn root task";

int main(void)
{
	return strlen(greeting) == sizeof(greeting) - 1 ? EXIT_SUCCESS
							: EXIT_FAILURE;
}

/* No system calls exist yet to end a thread: wait to be torn down. */
void _exit(int status)
{
	(void)status;
	for (;;) {
		__asm__ volatile("wfe");
	}
}
