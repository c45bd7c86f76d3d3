/*
 * Program start-up for Cairn's user level (in place of picolibc's crt0,
 * which assumes EL1): stack, .data and .bss, TLS, constructors, main.
 */
#include <libcairn/start.h>
#include <libcairn/syscall.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern char __data_start[], __data_source[], __bss_start[], __tls_base[];
extern char __data_size[], __bss_size[], __arm64_tls_tcb_offset[];

const struct cairn_bootinfo *cairn_bootinfo;
unsigned long cairn_start_flags;

void __libc_init_array(void);
int main(void);

__attribute__((noreturn, used)) void cairn_cstart(uintptr_t arg0)
{
	memcpy(__data_start, __data_source, (uintptr_t)__data_size);
	memset(__bss_start, 0, (uintptr_t)__bss_size);
	uintptr_t tp =
	    (uintptr_t)__tls_base - (uintptr_t)__arm64_tls_tcb_offset;
	__asm__ volatile("msr tpidr_el0, %0" ::"r"(tp));
	/* The root task gets a BootInfo address, components their flags. */
	const struct cairn_bootinfo *bi = (const void *)arg0;
	if (arg0 >= 4096 && bi->magic == CAIRN_BOOTINFO_MAGIC) {
		cairn_bootinfo = bi;
		cairn_start_flags = bi->flags;
	} else {
		cairn_start_flags = arg0;
	}
	__libc_init_array();
	exit(main());
}

/* Entry: x0 is the kernel's argument (BootInfo for the root task). */
__asm__(".section .init, \"ax\"\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	adrp x1, __stack\n"
	"	add x1, x1, :lo12:__stack\n"
	"	mov sp, x1\n"
	"	b cairn_cstart\n"
	".previous\n");

void _exit(int status)
{
	for (;;) {
		cairn_exit(status);
	}
}
