/*
 * Reading the spec module: every count, index and string is checked here,
 * once, so the builder can trust the records it walks.
 */
#include "loader.h"

#include <cairn/objects.h>
#include <stdbool.h>
#include <string.h>

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			loader_error(__VA_ARGS__);                             \
			return -1;                                             \
		}                                                              \
	} while (0)

static const void *take(const uint8_t **at, const uint8_t *end, size_t n,
			size_t size)
{
	const void *p = *at;

	if (n > (size_t)(end - *at) / size) {
		return NULL;
	}
	*at += n * size;
	return p;
}

static int check_string(const struct spec *s, uint32_t off)
{
	return off < s->strings_size &&
	       memchr(s->strings + off, '\0', s->strings_size - off) != NULL;
}

static int check_caps(const struct spec *s)
{
	for (uint32_t i = 0; i < s->h->cap_count; i++) {
		const struct spec_cap *c = &s->caps[i];
		CHECK(c->holder < s->h->object_count &&
			  s->objects[c->holder].type == CAIRN_OBJ_CNODE,
		      "cap %u: holder %u is not a CNode", i, c->holder);
		CHECK(c->slot > 0 &&
			  c->slot < (1UL << s->objects[c->holder].size_bits),
		      "cap %u: slot %u outside its CNode", i, c->slot);
		CHECK(c->object < s->h->object_count ||
			  (c->object >= SPEC_KERNEL_BAR &&
			   c->object < SPEC_KERNEL_BAR + SPEC_BARS_MAX) ||
			  (c->object >= SPEC_KERNEL_AUDIT &&
			   c->object <= SPEC_KERNEL_ECAM),
		      "cap %u: no object %u", i, c->object);
		CHECK(c->vspace == SPEC_NONE ||
			  (c->vspace < s->h->object_count &&
			   (s->objects[c->vspace].type == CAIRN_OBJ_VSPACE ||
			    s->objects[c->vspace].type == CAIRN_OBJ_IOSPACE)),
		      "cap %u: mapped into neither a VSpace nor an IOSpace", i);
	}
	return 0;
}

static bool is(const struct spec *s, uint32_t object, uint32_t type)
{
	return object < s->h->object_count && s->objects[object].type == type;
}

static uint64_t frame_bytes(uint32_t type)
{
	return type == CAIRN_OBJ_FRAME_2M ? 1UL << CAIRN_FRAME_2M_BITS
					  : 1UL << CAIRN_FRAME_4K_BITS;
}

static int check_rest(const struct spec *s)
{
	for (uint32_t i = 0; i < s->h->object_count; i++) {
		CHECK(check_string(s, s->objects[i].name),
		      "object %u: bad name", i);
		CHECK(s->objects[i].type > CAIRN_OBJ_UNTYPED &&
			  s->objects[i].type < CAIRN_OBJ_TYPE_COUNT,
		      "object %u: bad type %u", i, s->objects[i].type);
	}
	for (uint32_t i = 0; i < s->h->fill_count; i++) {
		const struct spec_fill *f = &s->fills[i];
		CHECK(f->frame < s->h->object_count &&
			  (s->objects[f->frame].type == CAIRN_OBJ_FRAME_4K ||
			   s->objects[f->frame].type == CAIRN_OBJ_FRAME_2M) &&
			  f->program < s->h->program_count &&
			  f->frame_offset + (uint64_t)f->length <=
			      frame_bytes(s->objects[f->frame].type),
		      "fill %u: bad frame, program or range", i);
	}
	for (uint32_t i = 0; i < s->h->thread_count; i++) {
		const struct spec_thread *t = &s->threads[i];
		CHECK(is(s, t->tcb, CAIRN_OBJ_TCB) &&
			  is(s, t->cnode, CAIRN_OBJ_CNODE) &&
			  is(s, t->vspace, CAIRN_OBJ_VSPACE) &&
			  check_string(s, t->name),
		      "thread %u: bad object or name", i);
		/* A component has an IPC buffer and starts; a vCPU has a
		 * VCPU, no buffer, and waits for its VMM. */
		bool start = t->flags & SPEC_THREAD_START;
		CHECK(start ? is(s, t->ipc_frame, CAIRN_OBJ_FRAME_4K) &&
				  t->vcpu == SPEC_NONE
			    : is(s, t->vcpu, CAIRN_OBJ_VCPU) &&
				  t->ipc_frame == SPEC_NONE,
		      "thread %u: neither a component nor a vCPU", i);
		CHECK((t->flags & ~SPEC_THREAD_START) == 0,
		      "thread %u: unknown flags 0x%x", i, t->flags);
	}
	for (uint32_t i = 0; i < s->h->program_count; i++) {
		CHECK(check_string(s, s->programs[i]), "program %u: bad name",
		      i);
	}
	return 0;
}

int spec_parse(const void *blob, size_t size, struct spec *s)
{
	const uint8_t *at = blob, *end = at + size;

	s->h = take(&at, end, 1, sizeof(*s->h));
	CHECK(s->h != NULL && memcmp(s->h->magic, SPEC_MAGIC, 8) == 0,
	      "the spec module has no spec header");
	CHECK(s->h->version == SPEC_VERSION,
	      "spec version %u, this root task reads %u", s->h->version,
	      SPEC_VERSION);
	s->objects =
	    take(&at, end, s->h->object_count, sizeof(struct spec_object));
	s->caps = take(&at, end, s->h->cap_count, sizeof(struct spec_cap));
	s->fills = take(&at, end, s->h->fill_count, sizeof(struct spec_fill));
	s->threads =
	    take(&at, end, s->h->thread_count, sizeof(struct spec_thread));
	s->programs = take(&at, end, s->h->program_count, sizeof(uint32_t));
	s->strings = take(&at, end, s->h->strings_size, 1);
	CHECK(s->objects && s->caps && s->fills && s->threads && s->programs &&
		  s->strings,
	      "the spec module is truncated");
	s->strings_size = s->h->strings_size;
	return check_rest(s) || check_caps(s) ? -1 : 0;
}

const char *spec_name(const struct spec *s, uint32_t off)
{
	return s->strings + off;
}
