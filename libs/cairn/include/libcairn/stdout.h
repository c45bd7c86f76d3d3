/* libcairn: where stdout and stderr go. */
#pragma once

/*
 * Each character printed goes to put; NULL restores the default, the
 * kernel's debug console (DebugPutChar, debug builds only). A program
 * connected to the console server sets this (see
 * servers/console/console_client.h).
 */
void cairn_stdout_set(void (*put)(char c));
