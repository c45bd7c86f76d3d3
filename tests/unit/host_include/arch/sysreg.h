/* Host stand-in for kernel/arch/aarch64/include/arch/sysreg.h: barriers
 * become compiler barriers; no system register is touched on the host. */
#pragma once

#include <stdint.h>

#define isb()	 __asm__ volatile("" ::: "memory")
#define dsb(opt) __asm__ volatile("" ::: "memory")
