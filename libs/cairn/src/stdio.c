/* stdout and stderr: the kernel debug console (DebugPutChar) unless the
 * program names another sink. */
#include <libcairn/stdout.h>
#include <libcairn/syscall.h>
#include <stdio.h>

static void (*sink)(char c);

void cairn_stdout_set(void (*put)(char c))
{
	sink = put;
}

static int debug_put(char c, FILE *f)
{
	(void)f;
	if (sink != NULL) {
		sink(c);
	} else {
		cairn_debug_putchar(c);
	}
	return (unsigned char)c;
}

static FILE debug_console =
    FDEV_SETUP_STREAM(debug_put, NULL, NULL, _FDEV_SETUP_WRITE);

FILE *const stdout = &debug_console;
FILE *const stderr = &debug_console;
FILE *const stdin = NULL;
