/* A component with passthrough disabled: no device, no StreamID (the
 * scenario's audit shows it holds none); it says so and waits. */
#include "dma_gen.h"

#include "console_client.h" /* needs the generated header first */

#include <libcairn/syscall.h>
#include <stdio.h>

int main(void)
{
	CONSOLE_CLIENT_INIT(DMAIDLE, CONSOLE);
	printf("dma: passthrough disabled: no device\n");
	for (;;) {
		cairn_wait(DMAIDLE_SLOT_CONSOLE_WAKE);
	}
}
