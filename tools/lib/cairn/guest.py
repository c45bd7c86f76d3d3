"""Guest payloads: the kernel a [[domain]] names, where it, its initrd and
its device tree go in guest RAM, and that device tree.

A guest sees a QEMU `virt` machine (RAM at 0x40000000, GICv3 distributor
0x08000000, redistributors 0x080a0000, PL011 0x09000000, PSCI over HVC) so
software written for `virt` runs unchanged; its VMM emulates those devices.
Everything here runs at build time, so a wrong kernel or a payload that
cannot fit is refused before anything is built (manifest.py calls
inspect_kernel() and guest_layout() for every domain). docs/manifest.md,
"Guest kernels", is the reference; keep the two in step.

Messages start with the file they are about (or the value at fault) and
say what to give instead; manifest.py puts the key path in front.
"""
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

RAM_BASE = 0x4000_0000
BLOCK = 2 << 20  # guest RAM is mapped in 2 MiB frames
RAW_TEXT_OFFSET = 0x8_0000  # where QEMU's -kernel puts a headerless binary
OLD_TEXT_OFFSET = 0x8_0000  # an Image with image_size 0 (before Linux 3.17)
DTB_MAX = 2 << 20  # Linux maps the DTB with one 2 MiB block: at most this
INITRD_ALIGN = 64 << 10  # a page for every granule (4K, 16K, 64K)
# Linux wants the initrd and the kernel inside one 1 GiB-aligned window of
# at most 32 GiB (booting.rst); the kernel is at RAM_BASE, so the initrd
# (and, to keep it beside the initrd, the DTB) stays below RAM_BASE + 32G.
LOW_WINDOW = 32 << 30
BOOTARGS_MAX = 1023  # bytes; 1024 with the NUL: see docs/manifest.md
MAX_VCPUS = 8  # the kernel's CPU_MAX

GICD_BASE, GICD_SIZE = 0x0800_0000, 0x1_0000
GICR_BASE, GICR_STRIDE = 0x080a_0000, 0x2_0000  # RD_base + SGI_base per vCPU
UART_BASE, UART_SIZE, UART_SPI = 0x0900_0000, 0x1000, 1
UART_PATH = f"/pl011@{UART_BASE:x}"
# Secure physical, non-secure physical, virtual, hypervisor physical timer.
TIMER_PPIS = (13, 14, 11, 10)
# QEMU's virt gives its timers level-high (hw/arm/virt.c: irqflags =
# GIC_FDT_IRQ_FLAGS_LEVEL_HI); Linux accepts level-high or level-low for a
# PPI and programs the GIC for level either way.
IRQ_LEVEL_HIGH = 4
GIC_SPI, GIC_PPI = 0, 1
APB_PCLK_HZ = 24_000_000

# arm64 Image header (Documentation/arch/arm64/booting.rst), little-endian:
# code0, code1, text_offset, image_size, flags, res2, res3, res4, magic, res5.
IMAGE_HEADER = struct.Struct("<IIQQQQQQII")
IMAGE_MAGIC = 0x644D5241  # "ARM\x64"
FLAG_BE, FLAG_PAGE_SHIFT, FLAG_PAGE_MASK, FLAG_ANYWHERE = 1, 1, 3, 1 << 3
PAGE_SIZES = {0: None, 1: 4 << 10, 2: 16 << 10, 3: 64 << 10}
# How a pre-3.17 big-endian kernel's text_offset (0x80000) reads as LE.
OLD_BE_TEXT_OFFSET = int.from_bytes(OLD_TEXT_OFFSET.to_bytes(8, "big"), "little")

# (leading bytes, format name, the command that decompresses it)
COMPRESSED = [
    (b"\x1f\x8b", "gzip", "zcat"),
    (b"\xfd7zXZ\x00", "xz", "xzcat"),
    (b"\x28\xb5\x2f\xfd", "zstd", "zstdcat"),
    (b"BZh", "bzip2", "bzcat"),
    (b"\x04\x22\x4d\x18", "lz4", "lz4cat"),
    (b"\x02\x21\x4c\x18", "lz4", "lz4cat"),  # the legacy frame Linux writes
    (b"\x89LZO\x00\r\n\x1a\n", "lzo", "lzop -dc"),
]
ZBOOT_TOOLS = {"gzip": "zcat", "lzma": "lzcat", "xz": "xzcat",
               "zstd": "zstdcat", "bzip2": "bzcat", "lz4": "lz4cat",
               "lzo": "lzop -dc"}
GIVE = "an arm64 Image (arch/arm64/boot/Image) or a flat binary"


class GuestError(Exception):
    """A guest payload problem, already phrased for the user."""


@dataclass(frozen=True)
class KernelInfo:
    """What inspect_kernel() found.

    kind: "image" (an arm64 Image header) or "raw" (a flat binary).
    text_offset: the load address's offset from the start of guest RAM.
    image_size: the header's image_size (0 for raw or a pre-3.17 Image).
    extent: bytes from the load address the kernel may use: image_size
      (which covers its BSS) or the file's size when that is all we know.
    page_size: the granule the header names (4096, 16384, 65536) or None.
    anywhere: header flag bit 3, may sit at any 2 MiB-aligned base (we
      always use the start of RAM, which suits both settings).
    """
    path: Path
    kind: str
    file_size: int
    text_offset: int
    image_size: int
    extent: int
    page_size: int = None
    anywhere: bool = False


@dataclass(frozen=True)
class GuestLayout:
    """Where everything goes in guest RAM (IPAs; guest_layout()). The
    VMM copies the kernel file to kernel_ipa, the initrd to initrd_ipa and
    the DTB to dtb_ipa, then enters vCPU 0 at entry_ipa with x0 = dtb_ipa
    (and x1 = x2 = x3 = 0, as booting.rst asks)."""
    ram_base: int
    ram_size: int
    kernel_ipa: int
    kernel_file_size: int  # bytes to copy
    kernel_end: int  # kernel_ipa + extent: nothing else is placed below
    entry_ipa: int
    dtb_ipa: int  # 2 MiB aligned; the DTB is at most dtb_max bytes
    dtb_max: int
    initrd_ipa: int = 0  # 0 when there is no initrd
    initrd_size: int = 0

    @property
    def ram_end(self):
        return self.ram_base + self.ram_size

    @property
    def initrd_end(self):
        return self.initrd_ipa + self.initrd_size


def _align_up(n, a):
    return (n + a - 1) // a * a


def _size(nbytes):
    """A size as a manifest writes it ("34M"), else in bytes."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if nbytes and nbytes % (1 << shift) == 0:
            return f"{nbytes >> shift}{unit}"
    return f"{nbytes} bytes"


# ---- the kernel -------------------------------------------------------------

def _read_head(path):
    """The first 4 KiB of the kernel file and its size; refuses a missing,
    unreadable or empty file."""
    p = Path(path)
    if p.is_dir():
        raise GuestError(f"{p} is a directory: give the guest's kernel, {GIVE}")
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
            size = f.seek(0, 2)
    except FileNotFoundError:
        raise GuestError(f"{p} does not exist: give the guest's kernel, "
                         f"{GIVE}") from None
    except OSError as e:
        raise GuestError(f"{p}: cannot read: {e.strerror}") from None
    if size == 0:
        raise GuestError(f"{p} is empty: give the guest's kernel, {GIVE}")
    return head, size


def _zboot_message(p, head):
    """An EFI zboot image: a PE loader with a compressed Image inside; its
    header says where the payload is and how it is compressed."""
    offset, size = struct.unpack_from("<II", head, 8)
    comp = head[0x18:0x20].split(b"\0")[0].decode("ascii", "replace")
    tool = ZBOOT_TOOLS.get(comp)
    how = (f": tail -c +{offset + 1} {p.name} | head -c {size} | {tool} > Image"
           if tool else "")
    return (f"{p} is an EFI zboot image (a {comp or 'compressed'} arm64 Image "
            f"inside an EFI loader): give the Image itself, decompressed"
            f"{how} (or build arch/arm64/boot/Image)")


def _lzma_alone(head):
    """The .lzma (LZMA-alone) header: properties byte 0x5d, a dictionary
    size that is 2^n or 2^n + 2^(n-1), an uncompressed size (or all ones)."""
    if len(head) < 13 or head[0] != 0x5D:
        return False
    dict_size, usize = struct.unpack_from("<IQ", head, 1)
    low = dict_size & -dict_size
    shape = dict_size in (low, low * 3) and dict_size >= 4096
    return shape and (usize == (1 << 64) - 1 or usize < 1 << 40)


def _compression(head):
    """(format, decompressing command) of a compressed file, or None."""
    for magic, name, tool in COMPRESSED:
        if head.startswith(magic):
            return name, tool
    return ("lzma", "lzcat") if _lzma_alone(head) else None


def _refuse_foreign(p, head):
    """Refuses the files that are not a kernel we can load, saying what
    to give instead."""
    if head[:4] == b"\x7fELF":
        flat = f"{p.stem}{'-flat' if p.suffix == '.bin' else ''}.bin"
        raise GuestError(
            f"{p} is an ELF file: give {GIVE} instead (Linux: "
            "arch/arm64/boot/Image, not vmlinux; a program of your own: "
            f"objcopy -O binary {p.name} {flat})")
    if head[:2] == b"MZ" and head[4:8] == b"zimg":
        raise GuestError(_zboot_message(p, head))
    compressed = _compression(head)
    if compressed:
        name, tool = compressed
        raise GuestError(
            f"{p} is {name}-compressed: give the kernel decompressed, e.g. "
            f"{tool} {p.name} > Image (Debian's vmlinuz is gzip: zcat)")
    if head[:4] == b"\x27\x05\x19\x56":
        raise GuestError(
            f"{p} is a U-Boot uImage: give the kernel inside it (tail -c +65 "
            f"{p.name} > Image, then decompress it if it is compressed)")
    if len(head) >= 0x30 and struct.unpack_from("<I", head, 0x24)[0] == 0x016F2818:
        raise GuestError(f"{p} is a 32-bit Arm zImage: Cairn guests run "
                         f"AArch64 at EL1: give {GIVE}")
    if head[0x202:0x206] == b"HdrS":
        raise GuestError(f"{p} is an x86 kernel (bzImage): give {GIVE}")


def _image_info(p, head, size):
    """KernelInfo of a file with an arm64 Image header."""
    if len(head) < IMAGE_HEADER.size:
        raise GuestError(f"{p} is {size} bytes, too short for the 64-byte "
                         "arm64 Image header it starts with: give a whole "
                         "Image")
    _, _, text_offset, image_size, flags, *_ = IMAGE_HEADER.unpack_from(head)
    if image_size == 0:  # before Linux 3.17: no flags, text_offset 0x80000
        if text_offset == OLD_BE_TEXT_OFFSET:
            flags = FLAG_BE
        else:
            text_offset, flags = OLD_TEXT_OFFSET, 0
    if flags & FLAG_BE:
        raise GuestError(
            f"{p} is a big-endian arm64 Image: Cairn guests run "
            "little-endian: give a little-endian kernel (Linux: without "
            "CONFIG_CPU_BIG_ENDIAN)")
    page = PAGE_SIZES[(flags >> FLAG_PAGE_SHIFT) & FLAG_PAGE_MASK]
    return KernelInfo(path=p, kind="image", file_size=size,
                      text_offset=text_offset, image_size=image_size,
                      extent=max(image_size, size), page_size=page,
                      anywhere=bool(flags & FLAG_ANYWHERE))


def _extent_source(info):
    """What a kernel's extent was taken from, for messages."""
    return "image_size, BSS included" if info.image_size else "the file's size"


def _check_fits(info, memory_bytes):
    end = info.text_offset + info.extent
    if memory_bytes is not None and end > memory_bytes:
        raise GuestError(
            f"{info.path} needs {_size(end)} "
            f"of guest RAM from its start (loaded at +{info.text_offset:#x}, "
            f"{info.extent:#x} bytes by {_extent_source(info)}), more than "
            f"the domain's {_size(memory_bytes)}: raise the domain's memory "
            "to at least "
            f"\"{_size(_align_up(end + DTB_MAX, BLOCK))}\"")


def inspect_kernel(path, memory_bytes=None):
    """The kind of guest kernel at `path` and its load facts (KernelInfo):
    an arm64 Image (header honoured) or a flat binary without a header
    (loaded at RAM + 0x80000, entered at its first byte). Raises
    GuestError for a missing or empty file, an ELF, a compressed file or
    EFI zboot image, a U-Boot, 32-bit Arm or x86 kernel, a big-endian
    Image, and (memory_bytes given) a kernel that does not fit in it."""
    p = Path(path)
    head, size = _read_head(p)
    _refuse_foreign(p, head)
    if len(head) >= 0x3C and struct.unpack_from("<I", head, 0x38)[0] == IMAGE_MAGIC:
        info = _image_info(p, head, size)
    else:
        info = KernelInfo(path=p, kind="raw", file_size=size,
                          text_offset=RAW_TEXT_OFFSET, image_size=0, extent=size)
    _check_fits(info, memory_bytes)
    return info


# ---- placement --------------------------------------------------------------

def guest_layout(kernel, memory_bytes, initrd_size=0):
    """Where the kernel (KernelInfo), the initrd (initrd_size bytes, 0 for
    none) and the DTB go in a guest of memory_bytes of RAM at RAM_BASE:
    the kernel at RAM + text_offset, the DTB in the last 2 MiB of RAM (of
    its first 32 GiB), the initrd just below the DTB, 64 KiB aligned, never
    reaching into the kernel's extent. Raises GuestError if they do not
    fit, with the memory that would do."""
    if memory_bytes <= 0 or memory_bytes % BLOCK:
        raise GuestError(f"{_size(memory_bytes)} of guest RAM is not a "
                         "multiple of 2M: guest RAM is mapped in 2 MiB frames")
    _check_fits(kernel, memory_bytes)
    kernel_ipa = RAM_BASE + kernel.text_offset
    kernel_end = kernel_ipa + kernel.extent
    dtb_ipa = RAM_BASE + min(memory_bytes, LOW_WINDOW) - DTB_MAX
    initrd_room = _align_up(initrd_size, INITRD_ALIGN)
    need = _align_up(kernel_end - RAM_BASE + initrd_room + DTB_MAX, BLOCK)
    if kernel_end + initrd_room > dtb_ipa:
        raise GuestError(_no_room(kernel, kernel_end, initrd_size, dtb_ipa,
                                  memory_bytes, need))
    return GuestLayout(
        ram_base=RAM_BASE, ram_size=memory_bytes, kernel_ipa=kernel_ipa,
        kernel_file_size=kernel.file_size, kernel_end=kernel_end,
        entry_ipa=kernel_ipa, dtb_ipa=dtb_ipa, dtb_max=DTB_MAX,
        initrd_ipa=dtb_ipa - initrd_room if initrd_size else 0,
        initrd_size=initrd_size)


def _no_room(kernel, kernel_end, initrd_size, dtb_ipa, memory_bytes, need):
    if need > LOW_WINDOW:
        fix = ("use a smaller initrd: Linux wants it within the first 32G of "
               "guest RAM, beside the kernel")
    else:
        fix = f"raise the domain's memory to at least \"{_size(need)}\""
    if not initrd_size:
        return (f"{kernel.path} ends at {kernel_end:#x} (by "
                f"{_extent_source(kernel)}) and leaves no room for the DTB "
                f"at {dtb_ipa:#x}, "
                f"the last 2M of a {_size(memory_bytes)} domain: {fix}")
    return (f"the initrd ({_size(_align_up(initrd_size, 1024))}) does not "
            f"fit between the kernel's end ({kernel_end:#x}) and the DTB "
            f"({dtb_ipa:#x}) in a {_size(memory_bytes)} domain: {fix}")


# ---- the device tree --------------------------------------------------------

def _cells64(*values):
    """<hi lo hi lo ...>: 64-bit values as the root's two-cell pairs."""
    return "<" + " ".join(f"{v >> 32:#x} {v & 0xFFFFFFFF:#x}" for v in values) + ">"


def _dts_string(text):
    """A DTS string literal: quotes, backslashes and anything not
    printable ASCII escaped byte by byte."""
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\x{b:02x}")
    return '"' + "".join(out) + '"'


def _chosen(domain, layout):
    lines = []
    if getattr(domain, "bootargs", ""):
        lines.append(f"bootargs = {_dts_string(domain.bootargs)};")
    lines.append(f'stdout-path = "{UART_PATH}";')
    if layout.initrd_size:
        lines.append(f"linux,initrd-start = /bits/ 64 <{layout.initrd_ipa:#x}>;")
        lines.append(f"linux,initrd-end = /bits/ 64 <{layout.initrd_end:#x}>;")
    return lines


def _cpus(vcpus):
    """One node per vCPU; reg is its MPIDR affinity, which the VMM gives
    vCPU i as Aff0 = i (VMPIDR_EL2), as QEMU's virt does for up to 16."""
    lines = ["#address-cells = <1>;", "#size-cells = <0>;"]
    for i in range(vcpus):
        lines += [f"cpu@{i} {{", '\tdevice_type = "cpu";',
                  '\tcompatible = "arm,armv8";', f"\treg = <{i:#x}>;",
                  '\tenable-method = "psci";', "};"]
    return lines


def _node(name, lines):
    return [f"{name} {{"] + ["\t" + ln for ln in lines] + ["};", ""]


def guest_dts(domain, machine, layout):
    """The guest's device tree source. domain: a manifest Domain (name,
    vcpus, bootargs); machine: the Manifest it belongs to (for the model
    string); layout: guest_layout()'s GuestLayout."""
    vcpus = domain.vcpus
    if not 1 <= vcpus <= MAX_VCPUS:
        raise GuestError(f"domain '{domain.name}': {vcpus} vCPUs: a guest "
                         f"has 1 to {MAX_VCPUS}")
    timer = ", ".join(f"<{GIC_PPI} {ppi} {IRQ_LEVEL_HIGH}>" for ppi in TIMER_PPIS)
    system = getattr(machine, "name", "")
    model = f"Cairn {system + ' ' if system else ''}domain {domain.name}"
    out = ["/dts-v1/;", "", "/ {"]
    body = [
        'compatible = "linux,dummy-virt";',
        f"model = {_dts_string(model)};",
        "#address-cells = <2>;", "#size-cells = <2>;",
        "interrupt-parent = <&gic>;", "",
        *_node("aliases", [f'serial0 = "{UART_PATH}";']),
        *_node("chosen", _chosen(domain, layout)),
        *_node(f"memory@{layout.ram_base:x}", [
            'device_type = "memory";',
            f"reg = {_cells64(layout.ram_base, layout.ram_size)};"]),
        *_node("cpus", _cpus(vcpus)),
        *_node("psci", ['compatible = "arm,psci-1.0", "arm,psci-0.2";',
                        'method = "hvc";']),
        # No maintenance interrupt: the guest has no EL2 to take it.
        *_node(f"gic: intc@{GICD_BASE:x}", [
            'compatible = "arm,gic-v3";', "#interrupt-cells = <3>;",
            "interrupt-controller;", "#redistributor-regions = <1>;",
            # As QEMU's: dtc wants #address-cells in an interrupt provider.
            "#address-cells = <2>;", "#size-cells = <2>;", "ranges;",
            f"reg = {_cells64(GICD_BASE, GICD_SIZE)}, "
            f"{_cells64(GICR_BASE, GICR_STRIDE * vcpus)};"]),
        *_node("timer", ['compatible = "arm,armv8-timer";',
                         f"interrupts = {timer};", "always-on;"]),
        # The PL011's clocks: Linux's driver refuses the UART without them.
        *_node("apb_pclk: apb-pclk", [
            'compatible = "fixed-clock";', "#clock-cells = <0>;",
            f"clock-frequency = <{APB_PCLK_HZ}>;",
            'clock-output-names = "clk24mhz";']),
        *_node(UART_PATH[1:], [
            'compatible = "arm,pl011", "arm,primecell";',
            f"reg = {_cells64(UART_BASE, UART_SIZE)};",
            f"interrupts = <{GIC_SPI} {UART_SPI} {IRQ_LEVEL_HIGH}>;",
            "clocks = <&apb_pclk>, <&apb_pclk>;",
            'clock-names = "uartclk", "apb_pclk";']),
    ]
    out += ["\t" + ln if ln else "" for ln in body[:-1]]
    return "\n".join(out + ["};", ""])


def _dtc(args, data):
    try:
        r = subprocess.run(["dtc", *args], input=data, capture_output=True,
                           timeout=60)
    except FileNotFoundError:
        raise GuestError("dtc is not installed (not found on PATH): run "
                         "tools/setup") from None
    if r.returncode != 0:
        msg = r.stderr.decode(errors="replace").strip().splitlines()
        raise GuestError(f"dtc {' '.join(args)} failed: "
                         f"{msg[0] if msg else f'exit status {r.returncode}'}")
    return r.stdout, r.stderr.decode(errors="replace")


def guest_dtb(domain, machine, layout):
    """The guest's DTB: guest_dts() compiled with `dtc -I dts -O dtb`,
    checked to parse with libfdt, to be at most DTB_MAX bytes and to name
    its stdout-path. Raises GuestError."""
    import libfdt

    blob, warnings = _dtc(["-I", "dts", "-O", "dtb", "-o", "-", "-"],
                          guest_dts(domain, machine, layout).encode())
    if warnings.strip():  # a warning here is a bug in guest_dts()
        raise GuestError(f"dtc warns about the guest DTB: {warnings.strip()}")
    if len(blob) > DTB_MAX:
        raise GuestError(f"domain '{domain.name}': its DTB is {len(blob)} "
                         f"bytes, more than the {_size(DTB_MAX)} Linux maps: "
                         "shorten bootargs")
    try:
        fdt = libfdt.Fdt(blob)
        fdt.path_offset(UART_PATH)
        fdt.path_offset(fdt.getprop(fdt.path_offset("/chosen"),
                                    "stdout-path").as_str())
    except libfdt.FdtException as e:
        raise GuestError(f"domain '{domain.name}': its DTB does not parse "
                         f"with libfdt: {e}") from None
    return blob


def dtb_to_dts(blob):
    """`dtc -I dtb -O dts` of a DTB: what a guest will be given, as text."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "guest.dtb"
        src.write_bytes(blob)
        out, _ = _dtc(["-I", "dtb", "-O", "dts", str(src)], b"")
    return out.decode()


@dataclass(frozen=True)
class GuestPayload:
    """Everything a domain's VMM loads: the kernel (file and facts), the
    initrd file (or None), the layout and the DTB blob."""
    kernel: KernelInfo
    initrd: Path
    layout: GuestLayout
    dtb: bytes


def payload(domain, machine):
    """The GuestPayload of a manifest Domain (domain.kernel, .initrd,
    .memory_bytes, .vcpus, .bootargs) of Manifest `machine`."""
    info = inspect_kernel(domain.kernel, domain.memory_bytes)
    initrd_size = Path(domain.initrd).stat().st_size if domain.initrd else 0
    layout = guest_layout(info, domain.memory_bytes, initrd_size)
    return GuestPayload(kernel=info, initrd=domain.initrd, layout=layout,
                        dtb=guest_dtb(domain, machine, layout))
