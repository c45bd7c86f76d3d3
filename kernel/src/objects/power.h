#pragma once

#include "invocation.h"

#include <stdint.h>

/* PowerControl.Off / Reset; returns only if the firmware cannot. */
enum cairn_error power_invoke(struct invocation *inv);
