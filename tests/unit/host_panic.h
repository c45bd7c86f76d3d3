/*
 * Host tests that expect a kernel panic: point host_panic_catch at a jmp_buf
 * and panic() jumps there (once) instead of failing the test, leaving its
 * message in host_panic_msg.
 */
#pragma once

#include <setjmp.h>

extern jmp_buf *host_panic_catch;
extern char host_panic_msg[512];
