/* A console client that prints as fast as it can, FLOOD_LINES lines: the
 * console must keep other clients' lines and the shell going meanwhile
 * (it would drop this one's excess, and say how much, if the UART could
 * not keep up; QEMU's never falls behind). Bounded so logs stay small. */
#include "clients_gen.h"

#include "console_client.h" /* needs the generated header first */

#include <stdio.h>

#define FLOOD_LINES 20000

int main(void)
{
	CONSOLE_CLIENT_INIT(CONSOLEFLOOD, CONSOLE);
	for (unsigned long n = 0; n < FLOOD_LINES; n++) {
		printf("flood line %lu\n", n);
	}
	printf("done\n");
	return 0;
}
