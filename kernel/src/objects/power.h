#pragma once

#include "cap/cap.h"

#include <stdint.h>

/* PowerControl.Off / Reset; returns only if the firmware cannot. */
enum cairn_error power_invoke(uint64_t label, struct inv_error *err);
