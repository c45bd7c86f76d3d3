/*
 * What the guest learns from the DTB: memory, CPUs, the GICv3 distributor
 * and redistributor regions, the console PL011 (/chosen/stdout-path, else
 * the first "arm,pl011"), the virtual timer's interrupt, the PSCI conduit
 * and the bootargs. Nothing about the board is assumed.
 */
#include "dtb.h"

#include "arch.h"

#include <libfdt.h>

#define GIC_PPI		 1
#define PPI_BASE	 16
#define SPI_BASE	 32
#define TIMER_VIRT_INDEX 2

struct platform plat;

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++) {
		v = (v << 32) | fdt32_ld(&p[i]);
	}
	return v;
}

/* Up to max entries of node's reg, in its parent's address space. */
static unsigned read_reg(const void *fdt, int node, struct range *out,
			 unsigned max)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac <= 0 || ac > 2 || sc < 0 || sc > 2) {
		return 0;
	}
	unsigned n = (unsigned)len / (4u * (unsigned)(ac + sc));
	for (unsigned i = 0; i < n && i < max; i++) {
		out[i].base = read_cells(reg + i * (ac + sc), ac);
		out[i].size = read_cells(reg + i * (ac + sc) + ac, sc);
	}
	return n < max ? n : max;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *s = fdt_getprop(fdt, node, "status", NULL);
	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

static void parse_memory(const void *fdt)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						 "memory", sizeof("memory"));
	for (; node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type",
						  "memory", sizeof("memory"))) {
		if (!node_enabled(fdt, node)) {
			continue;
		}
		plat.nmem += read_reg(fdt, node, &plat.mem[plat.nmem],
				      MEM_MAX - plat.nmem);
	}
}

static void parse_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0) {
		return;
	}
	int ac = fdt_address_cells(fdt, cpus);
	int node;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);
		if (!type || strcmp(type, "cpu") || !reg ||
		    !node_enabled(fdt, node)) {
			continue;
		}
		const char *m = fdt_getprop(fdt, node, "enable-method", NULL);
		if (!m || strcmp(m, "psci")) {
			plat.cpus_not_psci++;
		}
		if (plat.ncpus < CPU_MAX) {
			plat.cpu_mpidr[plat.ncpus++] =
			    read_cells(reg, ac) & MPIDR_AFF_MASK;
		}
		plat.dtb_cpus++;
	}
}

static void parse_gic(const void *fdt)
{
	int gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (gic < 0) {
		return;
	}
	struct range r[1 + GICR_MAX];
	unsigned n = read_reg(fdt, gic, r, ARRAY_SIZE(r));
	unsigned regions = 1;
	const fdt32_t *p =
	    fdt_getprop(fdt, gic, "#redistributor-regions", NULL);
	if (p) {
		regions = fdt32_ld(p);
	}
	if (n < 2) {
		return;
	}
	plat.gicd = r[0];
	for (unsigned i = 0; i < regions && i + 1 < n && i < GICR_MAX; i++) {
		plat.gicr[plat.ngicr++] = r[i + 1];
	}
	int len;
	p = fdt_getprop(fdt, gic, "redistributor-stride", &len);
	if (p && len == 8) {
		plat.gicr_stride = read_cells(p, 2);
	}
}

static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path =
	    chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (!path) {
		return -1;
	}
	const char *colon = memchr(path, ':', strlen(path));
	int len = colon ? (int)(colon - path) : (int)strlen(path);
	if (path[0] != '/') {
		path = fdt_get_alias_namelen(fdt, path, len);
		if (!path) {
			return -1;
		}
		len = (int)strlen(path);
	}
	return fdt_path_offset_namelen(fdt, path, len);
}

static void parse_uart(const void *fdt)
{
	int node = stdout_node(fdt);
	if (node >= 0 && fdt_node_check_compatible(fdt, node, "arm,pl011")) {
		node = -1;
	}
	plat.uart_from_stdout = node >= 0;
	if (node < 0) {
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
		while (node >= 0 && !node_enabled(fdt, node)) {
			node = fdt_node_offset_by_compatible(fdt, node,
							     "arm,pl011");
		}
	}
	if (node >= 0 && read_reg(fdt, node, &plat.uart, 1) == 1) {
		plat.uart_path = fdt_get_name(fdt, node, NULL);
	}
}

static void parse_timer(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	int len;
	const fdt32_t *irq =
	    node < 0 ? NULL : fdt_getprop(fdt, node, "interrupts", &len);
	/* Three cells an interrupt, as arm,gic-v3 bindings have it. */
	if (!irq || len < (int)(4 * 3 * (TIMER_VIRT_INDEX + 1))) {
		return;
	}
	const fdt32_t *v = irq + 3 * TIMER_VIRT_INDEX;
	uint32_t type = fdt32_ld(&v[0]), num = fdt32_ld(&v[1]);
	plat.vtimer_intid = type == GIC_PPI ? num + PPI_BASE : num + SPI_BASE;
}

static void parse_psci(const void *fdt)
{
	static const char *const compat[] = {"arm,psci-1.0", "arm,psci-0.2",
					     "arm,psci"};
	int node = -1;
	for (unsigned i = 0; i < ARRAY_SIZE(compat) && node < 0; i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);
	}
	if (node < 0) {
		return;
	}
	plat.psci_compat = fdt_getprop(fdt, node, "compatible", NULL);
	const char *m = fdt_getprop(fdt, node, "method", NULL);
	if (m && !strcmp(m, "hvc")) {
		plat.psci = CONDUIT_HVC;
	} else if (m && !strcmp(m, "smc")) {
		plat.psci = CONDUIT_SMC;
	}
}

bool dtb_parse(const void *fdt, const char **why)
{
	if (fdt_check_header(fdt)) {
		*why = "not a valid DTB header";
		return false;
	}
	plat.fdt = fdt;
	plat.fdt_size = fdt_totalsize(fdt);
	plat.model = fdt_getprop(fdt, 0, "model", NULL);
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0) {
		plat.bootargs = fdt_getprop(fdt, chosen, "bootargs", NULL);
	}
	parse_memory(fdt);
	parse_cpus(fdt);
	parse_gic(fdt);
	parse_uart(fdt);
	parse_timer(fdt);
	parse_psci(fdt);
	*why = !plat.uart.base ? "no PL011 in the DTB" : NULL;
	return !*why;
}

static bool covers(uint64_t base, uint64_t size, uint64_t addr)
{
	return addr >= base && addr - base < size;
}

/* Whether a ranges entry of node (a child of the root) maps addr. */
static bool ranges_cover(const void *fdt, int node, int pac, uint64_t addr)
{
	int cac = fdt_address_cells(fdt, node), csc = fdt_size_cells(fdt, node);
	int len;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);
	int step = cac + pac + csc;
	if (!r || cac < 0 || csc < 0 || pac > 2 || csc > 2 || step <= 0) {
		return false;
	}
	for (int i = 0; (i + 1) * step * 4 <= len; i++) {
		const fdt32_t *e = r + i * step;
		if (covers(read_cells(e + cac, pac),
			   read_cells(e + cac + pac, csc), addr)) {
			return true;
		}
	}
	return false;
}

const char *dtb_claims(uint64_t addr, char *buf, size_t size)
{
	const void *fdt = plat.fdt;
	int pac = fdt_address_cells(fdt, 0);
	int depth = 0;
	for (int node = fdt_next_node(fdt, 0, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (depth != 1) {
			continue;
		}
		struct range r[8];
		unsigned n = read_reg(fdt, node, r, ARRAY_SIZE(r));
		bool hit = ranges_cover(fdt, node, pac, addr);
		for (unsigned i = 0; i < n && !hit; i++) {
			hit = covers(r[i].base, r[i].size, addr);
		}
		if (hit) {
			format(buf, size, "/%s", fdt_get_name(fdt, node, NULL));
			return buf;
		}
	}
	return NULL;
}

bool in_memory(uint64_t addr, uint64_t size)
{
	for (unsigned i = 0; i < plat.nmem; i++) {
		if (covers(plat.mem[i].base, plat.mem[i].size, addr) &&
		    size <= plat.mem[i].base + plat.mem[i].size - addr) {
			return true;
		}
	}
	return false;
}

uint64_t memory_end(void)
{
	uint64_t end = 0;
	for (unsigned i = 0; i < plat.nmem; i++) {
		uint64_t e = plat.mem[i].base + plat.mem[i].size;
		end = e > end ? e : end;
	}
	return end;
}
