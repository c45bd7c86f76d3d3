/* AuditControl: the live capability audit, walked chunk by chunk. */
#pragma once

#include "invocation.h"

/* AuditControl.Walk and Threads (read-only: nothing to perform). */
enum cairn_error audit_invoke(struct invocation *inv);

/* An object's identity in the audit: stable for this boot, not an address. */
uint64_t audit_object_id(const struct cap *c);
