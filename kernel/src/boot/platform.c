#include "boot/platform.h"

#include <libfdt.h>
#include <string.h>

#define FAIL(err, msg)                                                         \
	do {                                                                   \
		*what = (msg);                                                 \
		return (err);                                                  \
	} while (0)

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++) {
		v = (v << 32) | fdt32_to_cpu(p[i]);
	}
	return v;
}

/* Reads reg entry `index` of node, in its parent's address and size cells. */
static enum k_error read_reg(const void *fdt, int node, int index,
			     struct mmio_region *out)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (parent < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2) {
		return K_ERR_NOT_SUPPORTED;
	}
	if (reg == NULL) {
		return K_ERR_NOT_FOUND;
	}
	int stride = ac + sc;
	if ((index + 1) * stride * (int)sizeof(fdt32_t) > len) {
		return K_ERR_NOT_FOUND;
	}
	reg += index * stride;
	out->base = pa_init(read_cells(reg, ac));
	out->size = read_cells(reg + ac, sc);
	return K_OK;
}

static int reg_count(const void *fdt, int node)
{
	int parent = fdt_parent_offset(fdt, node);
	int stride =
	    fdt_address_cells(fdt, parent) + fdt_size_cells(fdt, parent);
	int len;

	if (fdt_getprop(fdt, node, "reg", &len) == NULL || stride <= 0) {
		return 0;
	}
	return len / (stride * (int)sizeof(fdt32_t));
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return status == NULL || strcmp(status, "okay") == 0 ||
	       strcmp(status, "ok") == 0;
}

static int find_compatible(const void *fdt, const char *compat)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat);

	while (node >= 0 && !node_enabled(fdt, node)) {
		node = fdt_node_offset_by_compatible(fdt, node, compat);
	}
	return node;
}

static enum k_error parse_memory(const void *fdt, struct platform *plat,
				 const char **what)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);

		if (type == NULL || strcmp(type, "memory") != 0 ||
		    !node_enabled(fdt, node)) {
			continue;
		}
		for (int i = 0; i < reg_count(fdt, node); i++) {
			struct mmio_region r;

			if (read_reg(fdt, node, i, &r) != K_OK) {
				FAIL(K_ERR_INVALID_ARGUMENT,
				     "/memory: malformed reg");
			}
			if (r.size == 0) {
				continue;
			}
			enum k_error err =
			    memmap_add(&plat->ram, r.base, r.size);
			if (err != K_OK) {
				FAIL(err, "/memory: too many or overflowing "
					  "RAM ranges");
			}
		}
	}
	if (plat->ram.count == 0) {
		FAIL(K_ERR_NOT_FOUND, "no memory node with a non-empty reg");
	}
	return K_OK;
}

static enum k_error parse_reserved(const void *fdt, struct platform *plat,
				   const char **what)
{
	int n = fdt_num_mem_rsv(fdt);

	for (int i = 0; i < n; i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(fdt, i, &addr, &size) == 0 && size != 0 &&
		    memmap_add(&plat->reserved, pa_init(addr), size) != K_OK) {
			FAIL(K_ERR_NO_MEMORY, "/memreserve/: too many entries");
		}
	}
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	int node;

	if (parent < 0) {
		return K_OK;
	}
	fdt_for_each_subnode(node, fdt, parent)
	{
		struct mmio_region r;

		if (!node_enabled(fdt, node) ||
		    read_reg(fdt, node, 0, &r) != K_OK || r.size == 0) {
			continue; /* dynamically placed: nothing fixed yet */
		}
		if (memmap_add(&plat->reserved, r.base, r.size) != K_OK) {
			FAIL(K_ERR_NO_MEMORY, "/reserved-memory: too many "
					      "entries");
		}
	}
	return K_OK;
}

/* GIC interrupt specifier (type, number, flags) to an INTID. */
static uint32_t gic_intid(const fdt32_t *spec)
{
	uint32_t type = fdt32_to_cpu(spec[0]);
	uint32_t num = fdt32_to_cpu(spec[1]);

	return num + (type == 1 ? PLAT_GIC_PPI_BASE : PLAT_GIC_SPI_BASE);
}

/* The console UART: /chosen/stdout-path if it names a PL011, else the first. */
static int find_uart(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = NULL;
	int len = 0;

	if (chosen >= 0) {
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	}
	if (path != NULL && len > 1) {
		const char *colon = memchr(path, ':', (size_t)len);
		int plen = colon ? (int)(colon - path) : (int)strlen(path);
		int node = fdt_path_offset_namelen(fdt, path, plen);

		if (node >= 0 &&
		    fdt_node_check_compatible(fdt, node, "arm,pl011") == 0) {
			return node;
		}
	}
	return find_compatible(fdt, "arm,pl011");
}

static enum k_error parse_uart(const void *fdt, struct platform *plat,
			       const char **what)
{
	int node = find_uart(fdt);
	int len;

	if (node < 0) {
		return K_OK;
	}
	if (read_reg(fdt, node, 0, &plat->uart) != K_OK) {
		FAIL(K_ERR_INVALID_ARGUMENT, "pl011: malformed reg");
	}
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq != NULL && len >= 3 * (int)sizeof(fdt32_t)) {
		plat->uart_intid = gic_intid(irq);
	}
	plat->has_uart = true;
	return K_OK;
}

static enum k_error parse_gic(const void *fdt, struct platform *plat,
			      const char **what)
{
	int node = find_compatible(fdt, "arm,gic-v3");

	if (node < 0) {
		return K_OK;
	}
	if (read_reg(fdt, node, 0, &plat->gicd) != K_OK) {
		FAIL(K_ERR_INVALID_ARGUMENT, "gic-v3: malformed reg");
	}
	const fdt32_t *nr =
	    fdt_getprop(fdt, node, "#redistributor-regions", NULL);
	size_t regions = nr ? fdt32_to_cpu(*nr) : 1;
	if (regions > PLAT_MAX_REDIST) {
		FAIL(K_ERR_NOT_SUPPORTED, "gic-v3: too many redistributor "
					  "regions");
	}
	for (size_t i = 0; i < regions; i++) {
		if (read_reg(fdt, node, (int)(1 + i), &plat->gicr[i]) != K_OK) {
			FAIL(K_ERR_INVALID_ARGUMENT, "gic-v3: reg lacks a "
						     "redistributor region");
		}
	}
	plat->redist_count = regions;
	plat->has_gic = true;

	int its = find_compatible(fdt, "arm,gic-v3-its");
	if (its >= 0) {
		if (read_reg(fdt, its, 0, &plat->its) != K_OK) {
			FAIL(K_ERR_INVALID_ARGUMENT, "gic-v3-its: malformed "
						     "reg");
		}
		plat->has_its = true;
	}
	return K_OK;
}

/* The INTID of node's interrupt called name (interrupt-names), or 0. */
static uint32_t named_intid(const void *fdt, int node, const char *name)
{
	int index = fdt_stringlist_search(fdt, node, "interrupt-names", name);
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	if (index < 0 || irq == NULL ||
	    (index + 1) * 3 * (int)sizeof(fdt32_t) > len) {
		return 0;
	}
	return gic_intid(irq + 3 * index);
}

static enum k_error parse_smmu(const void *fdt, struct platform *plat,
			       const char **what)
{
	int node = find_compatible(fdt, "arm,smmu-v3");

	if (node < 0) {
		return K_OK;
	}
	if (read_reg(fdt, node, 0, &plat->smmu) != K_OK) {
		FAIL(K_ERR_INVALID_ARGUMENT, "smmu-v3: malformed reg");
	}
	plat->smmu_phandle = fdt_get_phandle(fdt, node);
	plat->smmu_dma_coherent =
	    fdt_getprop(fdt, node, "dma-coherent", NULL) != NULL;
	plat->smmu_eventq_intid = named_intid(fdt, node, "eventq");
	plat->smmu_gerror_intid = named_intid(fdt, node, "gerror");
	plat->has_smmu = true;
	return K_OK;
}

static enum k_error parse_pci_ranges(const void *fdt, int node,
				     struct platform *plat, const char **what)
{
	int pac = fdt_address_cells(fdt, fdt_parent_offset(fdt, node));
	int sc = fdt_size_cells(fdt, node);
	int len;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);

	if (r == NULL) {
		return K_OK;
	}
	int stride = 3 + pac + sc;
	if (pac < 1 || pac > 2 || sc < 1 || sc > 2) {
		FAIL(K_ERR_NOT_SUPPORTED, "pcie: unsupported #address-cells or "
					  "#size-cells");
	}
	int n = len / (stride * (int)sizeof(fdt32_t));
	if (n > PLAT_MAX_PCI_WINDOWS) {
		FAIL(K_ERR_NOT_SUPPORTED, "pcie: too many ranges");
	}
	for (int i = 0; i < n; i++, r += stride) {
		uint32_t hi = fdt32_to_cpu(r[0]);
		struct pci_window *w = &plat->pci_window[i];

		w->space = (enum pci_space)((hi >> 24) & 3);
		if (w->space == 0) {
			FAIL(K_ERR_NOT_SUPPORTED, "pcie: configuration-space "
						  "window in ranges");
		}
		w->prefetchable = (hi >> 30) & 1;
		w->pci_addr = read_cells(r + 1, 2);
		w->cpu_addr = pa_init(read_cells(r + 3, pac));
		w->size = read_cells(r + 3 + pac, sc);
	}
	plat->pci_window_count = (size_t)n;
	return K_OK;
}

static enum k_error parse_iommu_map(const void *fdt, int node,
				    struct platform *plat, const char **what)
{
	int len;
	const fdt32_t *m = fdt_getprop(fdt, node, "iommu-map", &len);

	if (m == NULL) {
		return K_OK;
	}
	/* (rid-base, iommu phandle, iommu specifier, length): #iommu-cells 1 */
	int n = len / (4 * (int)sizeof(fdt32_t));
	if (n > PLAT_MAX_IOMMU_MAP) {
		FAIL(K_ERR_NOT_SUPPORTED, "pcie: too many iommu-map entries");
	}
	for (int i = 0; i < n; i++, m += 4) {
		struct iommu_map_entry *e = &plat->iommu_map[i];
		int iommu;
		const fdt32_t *cells;

		e->iommu_phandle = fdt32_to_cpu(m[1]);
		iommu = fdt_node_offset_by_phandle(fdt, e->iommu_phandle);
		cells = iommu >= 0
			    ? fdt_getprop(fdt, iommu, "#iommu-cells", NULL)
			    : NULL;
		if (cells == NULL || fdt32_to_cpu(*cells) != 1) {
			FAIL(K_ERR_NOT_SUPPORTED, "pcie: iommu-map names an "
						  "IOMMU without #iommu-cells "
						  "= 1");
		}
		e->rid_base = fdt32_to_cpu(m[0]);
		e->sid_base = fdt32_to_cpu(m[2]);
		e->length = fdt32_to_cpu(m[3]);
	}
	plat->iommu_map_count = (size_t)n;
	return K_OK;
}

static uint32_t cells_of(const void *fdt, int node, const char *name,
			 uint32_t missing)
{
	int len;
	const fdt32_t *c = fdt_getprop(fdt, node, name, &len);

	return c != NULL && len >= (int)sizeof(*c) ? fdt32_to_cpu(*c) : missing;
}

/* One interrupt-map entry at m (of `left` cells): *used its cells, or a
 * reason it cannot be taken. */
static const char *parse_intx_entry(const void *fdt, const fdt32_t *m, int left,
				    struct pci_intx_entry *e, int *used)
{
	/* child unit address (3 cells), child interrupt (1), parent. */
	if (left < 5) {
		return "an entry cut short";
	}
	int gic = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(m[4]));
	if (gic < 0 || fdt_node_check_compatible(fdt, gic, "arm,gic-v3") != 0 ||
	    cells_of(fdt, gic, "#interrupt-cells", 0) != 3) {
		return "a parent other than a GICv3 with 3 interrupt cells";
	}
	int pac = (int)cells_of(fdt, gic, "#address-cells", 0);
	if (pac > 2 || left < 5 + pac + 3) {
		return "an entry cut short";
	}
	const fdt32_t *spec = m + 5 + pac; /* type, number, flags */
	if (fdt32_to_cpu(spec[0]) != 0 || fdt32_to_cpu(spec[1]) > 987) {
		return "an interrupt that is not an SPI";
	}
	e->addr_hi = fdt32_to_cpu(m[0]);
	e->pin = fdt32_to_cpu(m[3]);
	e->intid = PLAT_GIC_SPI_BASE + fdt32_to_cpu(spec[1]);
	e->edge = (fdt32_to_cpu(spec[2]) & 3) != 0;
	*used = 5 + pac + 3;
	return NULL;
}

/* INTx routing: taken whole or not at all (plat->intx_problem). */
static void parse_interrupt_map(const void *fdt, int node,
				struct platform *plat)
{
	int len, mlen;
	const fdt32_t *m = fdt_getprop(fdt, node, "interrupt-map", &len);
	const fdt32_t *mask =
	    fdt_getprop(fdt, node, "interrupt-map-mask", &mlen);
	int left = m != NULL ? len / (int)sizeof(fdt32_t) : 0;
	size_t n = 0;

	plat->intx_count = 0;
	plat->intx_problem = m == NULL ? "no interrupt-map" : NULL;
	if (m == NULL) {
		return;
	}
	if (fdt_address_cells(fdt, node) != 3 ||
	    cells_of(fdt, node, "#interrupt-cells", 0) != 1 || mask == NULL ||
	    mlen != 4 * (int)sizeof(fdt32_t)) {
		plat->intx_problem = "an interrupt-map not of 3 address cells, "
				     "1 interrupt cell and a 4-cell mask";
		return;
	}
	plat->intx_mask_hi = fdt32_to_cpu(mask[0]);
	plat->intx_mask_pin = fdt32_to_cpu(mask[3]);
	while (left > 0 && plat->intx_problem == NULL) {
		int used = 0;
		if (n == PLAT_MAX_PCI_INTX) {
			plat->intx_problem = "more interrupt-map entries than "
					     "PLAT_MAX_PCI_INTX";
			break;
		}
		plat->intx_problem =
		    parse_intx_entry(fdt, m, left, &plat->intx[n], &used);
		m += used;
		left -= used;
		n++;
	}
	plat->intx_count = plat->intx_problem == NULL ? n : 0;
}

static enum k_error parse_pcie(const void *fdt, struct platform *plat,
			       const char **what)
{
	int node = find_compatible(fdt, "pci-host-ecam-generic");
	int len;

	if (node < 0) {
		return K_OK;
	}
	if (read_reg(fdt, node, 0, &plat->ecam) != K_OK) {
		FAIL(K_ERR_INVALID_ARGUMENT, "pcie: malformed reg");
	}
	const fdt32_t *bus = fdt_getprop(fdt, node, "bus-range", &len);
	plat->bus_first = 0;
	plat->bus_last = 255;
	if (bus != NULL && len == 2 * (int)sizeof(fdt32_t)) {
		plat->bus_first = fdt32_to_cpu(bus[0]);
		plat->bus_last = fdt32_to_cpu(bus[1]);
	}
	enum k_error err = parse_pci_ranges(fdt, node, plat, what);
	if (err == K_OK) {
		err = parse_iommu_map(fdt, node, plat, what);
	}
	parse_interrupt_map(fdt, node, plat);
	plat->has_pcie = err == K_OK;
	return err;
}

static enum k_error parse_timer(const void *fdt, struct platform *plat,
				const char **what)
{
	int node = find_compatible(fdt, "arm,armv8-timer");
	int len;

	if (node < 0) {
		return K_OK;
	}
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	int n = irq ? len / (3 * (int)sizeof(fdt32_t)) : 0;
	if (n < 4) {
		FAIL(K_ERR_INVALID_ARGUMENT, "timer: fewer than 4 interrupts");
	}
	/* Binding order: secure phys, non-secure phys, virt, hyp phys, hyp virt
	 */
	plat->timer_sec_phys = gic_intid(irq);
	plat->timer_phys = gic_intid(irq + 3);
	plat->timer_virt = gic_intid(irq + 6);
	plat->timer_hyp_phys = gic_intid(irq + 9);
	plat->timer_hyp_virt = n >= 5 ? gic_intid(irq + 12) : 0;
	plat->has_timer = true;
	return K_OK;
}

static enum k_error parse_psci(const void *fdt, struct platform *plat,
			       const char **what)
{
	static const char *const compat[] = {"arm,psci-1.0", "arm,psci-0.2"};
	int node = -1;

	for (size_t i = 0; i < ARRAY_SIZE(compat) && node < 0; i++) {
		node = find_compatible(fdt, compat[i]);
	}
	plat->psci = PSCI_CONDUIT_NONE;
	if (node < 0) {
		return K_OK; /* PSCI 0.1 has no standard function IDs */
	}
	const char *method = fdt_getprop(fdt, node, "method", NULL);
	if (method != NULL && strcmp(method, "smc") == 0) {
		plat->psci = PSCI_CONDUIT_SMC;
	} else if (method != NULL && strcmp(method, "hvc") == 0) {
		plat->psci = PSCI_CONDUIT_HVC;
	} else {
		FAIL(K_ERR_INVALID_ARGUMENT, "psci: method is neither smc nor "
					     "hvc");
	}
	return K_OK;
}

static enum k_error parse_cpus(const void *fdt, struct platform *plat,
			       const char **what)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node;

	if (cpus < 0) {
		FAIL(K_ERR_NOT_FOUND, "no /cpus node");
	}
	int ac = fdt_address_cells(fdt, cpus);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (type == NULL || strcmp(type, "cpu") != 0 ||
		    !node_enabled(fdt, node)) {
			continue;
		}
		if (reg == NULL || len < ac * (int)sizeof(fdt32_t)) {
			FAIL(K_ERR_INVALID_ARGUMENT, "/cpus: cpu node without "
						     "reg");
		}
		if (plat->cpu_count == PLAT_MAX_CPUS) {
			FAIL(K_ERR_NOT_SUPPORTED, "/cpus: more CPUs than "
						  "PLAT_MAX_CPUS");
		}
		plat->cpu_mpidr[plat->cpu_count++] = read_cells(reg, ac);
	}
	if (plat->cpu_count == 0) {
		FAIL(K_ERR_NOT_FOUND, "/cpus: no cpu nodes");
	}
	return K_OK;
}

enum k_error platform_from_dtb(const void *fdt, struct platform *plat,
			       const char **what)
{
	typedef enum k_error (*parser)(const void *, struct platform *,
				       const char **);
	static const parser parsers[] = {
	    parse_memory, parse_reserved, parse_uart, parse_gic,  parse_smmu,
	    parse_pcie,	  parse_timer,	  parse_psci, parse_cpus,
	};

	memset(plat, 0, sizeof(*plat));
	memmap_init(&plat->ram);
	memmap_init(&plat->reserved);
	*what = "";
	if (fdt_check_header(fdt) != 0) {
		FAIL(K_ERR_INVALID_ARGUMENT, "bad DTB header");
	}
	for (size_t i = 0; i < ARRAY_SIZE(parsers); i++) {
		enum k_error err = parsers[i](fdt, plat, what);
		if (err != K_OK) {
			return err;
		}
	}
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args =
	    chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	plat->bootargs = args ? args : "";
	return K_OK;
}

enum k_error platform_free_ram(const struct platform *plat,
			       struct mem_range image, struct mem_range dtb,
			       struct memmap *free)
{
	const struct mem_range *holes[] = {&image, &dtb};
	enum k_error err = K_OK;

	*free = plat->ram;
	for (size_t i = 0; i < plat->reserved.count && err == K_OK; i++) {
		const struct mem_range *r = &plat->reserved.range[i];
		err = memmap_remove(free, r->base,
				    pa_addr(r->end) - pa_addr(r->base));
	}
	for (size_t i = 0; i < ARRAY_SIZE(holes) && err == K_OK; i++) {
		uint64_t size =
		    pa_addr(holes[i]->end) - pa_addr(holes[i]->base);
		if (size != 0) {
			err = memmap_remove(free, holes[i]->base, size);
		}
	}
	return err;
}

const char *psci_conduit_name(enum psci_conduit c)
{
	switch (c) {
	case PSCI_CONDUIT_SMC:
		return "smc";
	case PSCI_CONDUIT_HVC:
		return "hvc";
	case PSCI_CONDUIT_NONE:
		break;
	}
	return "none";
}

const char *pci_space_name(enum pci_space s)
{
	switch (s) {
	case PCI_SPACE_IO:
		return "io";
	case PCI_SPACE_MEM32:
		return "mem32";
	case PCI_SPACE_MEM64:
		return "mem64";
	}
	return "?";
}

bool platform_has_bootarg(const struct platform *plat, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = plat->bootargs;

	while (*p != '\0') {
		while (*p == ' ') {
			p++;
		}
		const char *end = p;
		while (*end != '\0' && *end != ' ') {
			end++;
		}
		if ((size_t)(end - p) == wlen && memcmp(p, word, wlen) == 0) {
			return true;
		}
		p = end;
	}
	return false;
}
