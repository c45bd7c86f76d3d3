/* AuditControl: the live capability audit, walked chunk by chunk. */
#pragma once

#include "cap/cap.h"

enum cairn_error audit_invoke(uint64_t label, const uint64_t *args,
			      size_t nargs, uint64_t *reply, size_t *reply_len,
			      struct inv_error *err);

/* An object's identity in the audit: stable for this boot, not an address. */
uint64_t audit_object_id(const struct cap *c);
