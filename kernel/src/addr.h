/*
 * Distinct address types. Physical, intermediate-physical (stage-2 input) and
 * kernel virtual addresses are wrapped in one-member structs so that passing
 * one where another is expected is a compile error, not a silent bug.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t pa;
} paddr_t;

typedef struct {
	uint64_t ipa;
} ipaddr_t;

typedef struct {
	uintptr_t va;
} vaddr_t;

static inline paddr_t pa_init(uint64_t pa)
{
	return (paddr_t){.pa = pa};
}

static inline uint64_t pa_addr(paddr_t pa)
{
	return pa.pa;
}

static inline paddr_t pa_add(paddr_t pa, uint64_t n)
{
	return pa_init(pa.pa + n);
}

static inline ipaddr_t ipa_init(uint64_t ipa)
{
	return (ipaddr_t){.ipa = ipa};
}

static inline uint64_t ipa_addr(ipaddr_t ipa)
{
	return ipa.ipa;
}

static inline vaddr_t va_init(uintptr_t va)
{
	return (vaddr_t){.va = va};
}

static inline uintptr_t va_addr(vaddr_t va)
{
	return va.va;
}

static inline vaddr_t va_from_ptr(const void *p)
{
	return va_init((uintptr_t)p);
}

static inline void *ptr_from_va(vaddr_t va)
{
	return (void *)va.va;
}

/* A VMID: the tag of one VSpace's stage-2 TLB entries. */
typedef struct {
	uint16_t id;
} vmid_t;

static inline vmid_t vmid_init(uint16_t id)
{
	return (vmid_t){.id = id};
}

static inline uint16_t vmid_value(vmid_t v)
{
	return v.id;
}

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define ALIGN_UP(x, a)	 ALIGN_DOWN((x) + (uint64_t)(a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a)-1)) == 0)
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
