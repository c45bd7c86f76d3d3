/*
 * An interactive console client: says it is ready, then answers every line
 * typed while it has the focus with "got: LINE". Built a second time
 * (ConsoleEchoExtra) to copy its own TCB cap into its empty receive slot:
 * one capability the spec does not explain, for the shell's `audit`.
 */
#include "clients_gen.h"

#include "console_client.h" /* needs the generated header first */

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>

#ifdef ECHO_EXTRA_CAP
#define SLOT(x)		CONSOLEECHOEXTRA_SLOT_##x
#define START_CONSOLE() CONSOLE_CLIENT_INIT(CONSOLEECHOEXTRA, CONSOLE)
#else
#define SLOT(x)		CONSOLEECHO_SLOT_##x
#define START_CONSOLE() CONSOLE_CLIENT_INIT(CONSOLEECHO, CONSOLE)
#endif

int main(void)
{
	char in[65], line[128];
	unsigned used = 0;

	START_CONSOLE();
#ifdef ECHO_EXTRA_CAP
	cairn_cnode_copy(SLOT(CNODE), SLOT(RECV), 64, SLOT(CNODE), SLOT(SELF),
			 64, CAIRN_RIGHTS_ALL);
#endif
	printf("ready\n");
	for (;;) {
		uint32_t n = console_client_read(in);
		if (n == 0) {
			console_client_wait_input(); /* nothing typed for us */
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			char c = in[i];
			if (c == '\r' || c == '\n') {
				line[used] = '\0';
				printf("got: %s\n", line);
				used = 0;
			} else if (used < sizeof(line) - 1) {
				line[used++] = c;
			}
		}
	}
}
