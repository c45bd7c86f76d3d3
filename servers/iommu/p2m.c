/* sync-pt requests, checked and carried out (p2m.h); no system calls. */
#include "p2m.h"

#include <string.h>

#define RIGHTS_RW 3U /* CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE */

void p2m_init(struct p2m *p, uint32_t pages)
{
	memset(p, 0, sizeof(*p));
	p->pages = pages < IOMMU_IOVA_PAGES ? pages : IOMMU_IOVA_PAGES;
}

int p2m_is_mapped(const struct p2m *p, uint32_t page)
{
	return page < p->pages && (p->mapped[page / 8] >> (page % 8)) & 1;
}

static void set_mapped(struct p2m *p, uint32_t page, int on)
{
	if (on) {
		p->mapped[page / 8] |= (uint8_t)(1U << (page % 8));
		p->mappings++;
	} else {
		p->mapped[page / 8] &= (uint8_t) ~(1U << (page % 8));
		p->mappings--;
	}
}

/* The record's fields, without its pages' state: IOMMU_OK or the error
 * and *field. */
static uint32_t check_fields(const struct p2m *p, const struct iommu_record *r,
			     uint32_t *field)
{
	const uint64_t end = IOMMU_IOVA_BASE + (uint64_t)p->pages * IOMMU_PAGE;

	if (r->op != IOMMU_OP_MAP && r->op != IOMMU_OP_UNMAP) {
		*field = IOMMU_FIELD_OP;
		return IOMMU_ERR_RECORD;
	}
	if (r->pages == 0 || r->pages > p->pages) {
		*field = IOMMU_FIELD_PAGES;
		return r->pages == 0 ? IOMMU_ERR_RECORD : IOMMU_ERR_RANGE;
	}
	if (r->iova % IOMMU_PAGE != 0) {
		*field = IOMMU_FIELD_IOVA;
		return IOMMU_ERR_ALIGN;
	}
	/* Written so that nothing overflows: pages is at most the range. */
	if (r->iova < IOMMU_IOVA_FIRST || r->iova >= end ||
	    (end - r->iova) / IOMMU_PAGE < r->pages) {
		*field = IOMMU_FIELD_IOVA;
		return IOMMU_ERR_RANGE;
	}
	if (r->op == IOMMU_OP_MAP &&
	    (r->rights == 0 || (r->rights & ~RIGHTS_RW) != 0)) {
		*field = IOMMU_FIELD_RIGHTS;
		return IOMMU_ERR_RECORD;
	}
	if (r->op == IOMMU_OP_MAP &&
	    (r->first == 0 || r->first > UINT32_MAX - r->pages)) {
		*field = IOMMU_FIELD_FIRST;
		return IOMMU_ERR_CAP;
	}
	return IOMMU_OK;
}

/* Every page of the record free (map) or mapped (unmap). */
static uint32_t check_pages(const struct p2m *p, const struct iommu_record *r,
			    uint32_t *field)
{
	uint32_t first = (uint32_t)((r->iova - IOMMU_IOVA_BASE) / IOMMU_PAGE);

	for (uint32_t i = 0; i < r->pages; i++) {
		int mapped = p2m_is_mapped(p, first + i);
		if (r->op == IOMMU_OP_MAP && mapped) {
			*field = IOMMU_FIELD_IOVA;
			return IOMMU_ERR_OVERLAP;
		}
		if (r->op == IOMMU_OP_UNMAP && !mapped) {
			*field = IOMMU_FIELD_IOVA;
			return IOMMU_ERR_NOT_MAPPED;
		}
	}
	return IOMMU_OK;
}

/* A checked record, whole: a map that fails part way is undone. */
static uint32_t carry_out(struct p2m *p, const struct iommu_record *r,
			  const struct p2m_ops *ops, uint32_t *field)
{
	uint32_t first = (uint32_t)((r->iova - IOMMU_IOVA_BASE) / IOMMU_PAGE);
	uint32_t err = IOMMU_OK, mapped = 0;

	if (r->op == IOMMU_OP_UNMAP) {
		/* Counted as unmapped even if the kernel objected: our
		 * copies are gone either way. */
		err = ops->unmap(ops->ctx, first, r->pages);
		for (uint32_t i = 0; i < r->pages; i++) {
			set_mapped(p, first + i, 0);
		}
		return err;
	}
	err = ops->map(ops->ctx, r->first, r->iova, r->rights, first, r->pages,
		       &mapped);
	if (err == IOMMU_OK) {
		mapped = r->pages;
	}
	for (uint32_t i = 0; i < mapped; i++) {
		set_mapped(p, first + i, 1);
	}
	if (err != IOMMU_OK) {
		if (mapped > 0) {
			ops->unmap(ops->ctx, first, mapped);
		}
		for (uint32_t i = 0; i < mapped; i++) {
			set_mapped(p, first + i, 0);
		}
		*field = IOMMU_FIELD_FIRST;
	}
	return err;
}

uint32_t p2m_submit(struct p2m *p, const struct iommu_ring *ring, uint32_t prod,
		    const struct p2m_ops *ops, uint32_t *done, uint32_t *detail)
{
	uint32_t n = prod - p->cons; /* unsigned: prod behind cons is huge */
	uint32_t field = IOMMU_FIELD_NONE, err = IOMMU_OK;

	*done = 0;
	*detail = IOMMU_FIELD_PROD;
	if (n > IOMMU_RING_RECORDS) {
		return IOMMU_ERR_RING;
	}
	if (n > IOMMU_BATCH_MAX) {
		return IOMMU_ERR_BATCH;
	}
	*detail = IOMMU_FIELD_NONE;
	for (uint32_t k = 0; k < n && err == IOMMU_OK; k++) {
		struct iommu_record r;
		memcpy(&r,
		       (const void *)&ring
			   ->rec[(p->cons + k) % IOMMU_RING_RECORDS],
		       sizeof(r));
		err = check_fields(p, &r, &field);
		err = err != IOMMU_OK ? err : check_pages(p, &r, &field);
		err = err != IOMMU_OK ? err : carry_out(p, &r, ops, &field);
		if (err != IOMMU_OK) {
			*detail = k << 8 | field;
		} else {
			(*done)++;
		}
	}
	p->cons = prod;
	return err;
}

void p2m_clear(struct p2m *p, const struct p2m_ops *ops)
{
	for (uint32_t page = 0; page < p->pages; page++) {
		uint32_t n = 0;
		while (page + n < p->pages && p2m_is_mapped(p, page + n)) {
			set_mapped(p, page + n, 0);
			n++;
		}
		if (n > 0) {
			ops->unmap(ops->ctx, page, n);
		}
		page += n;
	}
}
