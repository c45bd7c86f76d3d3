#pragma once

#include "kmem.h"

#define HOST_RAM_BASE 0x40000000ULL
#define HOST_RAM_SIZE (16ULL << 20)

extern uint8_t host_ram[HOST_RAM_SIZE];
