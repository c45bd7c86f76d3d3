/* stdout and stderr on the kernel debug console (DebugPutChar). */
#include <libcairn/syscall.h>
#include <stdio.h>

static int debug_put(char c, FILE *f)
{
	(void)f;
	cairn_debug_putchar(c);
	return (unsigned char)c;
}

static FILE debug_console =
    FDEV_SETUP_STREAM(debug_put, NULL, NULL, _FDEV_SETUP_WRITE);

FILE *const stdout = &debug_console;
FILE *const stderr = &debug_console;
FILE *const stdin = NULL;
