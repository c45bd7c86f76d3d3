"""Guest payloads (tools/lib/cairn/guest.py): kernels recognised and
refused with their exact messages, placement in guest RAM, and the guest
DTB read back through libfdt."""
import struct
from types import SimpleNamespace

import pytest

from cairn import guest

M = 1 << 20
RAM = 0x4000_0000


def image(text_offset=0x80000, image_size=0x20_0000, flags=0b1010, body=4096,
          magic=b"ARM\x64"):
    """A fake arm64 Image: the 64-byte header and `body` bytes."""
    k = bytearray(64 + body)
    struct.pack_into("<IIQQQ", k, 0, 0x1400_0010, 0, text_offset, image_size, flags)
    k[0x38:0x3C] = magic
    return bytes(k)


def put(tmp_path, data, name="Image"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# ---- what a kernel is --------------------------------------------------------

def test_image_header_is_honoured(tmp_path):
    k = guest.inspect_kernel(put(tmp_path, image(0x20_0000, 0x30_0000)), 64 * M)
    assert (k.kind, k.text_offset, k.image_size) == ("image", 0x20_0000, 0x30_0000)
    assert k.extent == 0x30_0000  # image_size covers BSS
    assert (k.file_size, k.page_size, k.anywhere) == (4160, 4096, True)


@pytest.mark.parametrize("flags,page,anywhere", [
    (0b0000, None, False), (0b0010, 4096, False), (0b0100, 16384, False),
    (0b1110, 65536, True)])
def test_image_flags(tmp_path, flags, page, anywhere):
    k = guest.inspect_kernel(put(tmp_path, image(flags=flags)), 64 * M)
    assert (k.page_size, k.anywhere) == (page, anywhere)


def test_old_image_without_image_size_uses_0x80000_and_file_size(tmp_path):
    # Before Linux 3.17 image_size is 0, and flags and text_offset unset.
    k = guest.inspect_kernel(put(tmp_path, image(0x1234, 0, flags=1, body=10000)))
    assert (k.kind, k.text_offset, k.extent) == ("image", 0x80000, 10064)


def test_raw_binary_goes_at_0x80000(tmp_path):
    k = guest.inspect_kernel(put(tmp_path, b"\x00\x00\x00\x14" * 100, "g.bin"), 16 * M)
    assert (k.kind, k.text_offset, k.extent, k.file_size) == ("raw", 0x80000, 400, 400)
    lo = guest.guest_layout(k, 16 * M)
    assert lo.kernel_ipa == lo.entry_ipa == RAM + 0x80000
    assert lo.kernel_end == RAM + 0x80000 + 400


def zboot(comp=b"gzip"):
    h = bytearray(0x200)
    h[0:2], h[4:8] = b"MZ", b"zimg"
    struct.pack_into("<II", h, 8, 0x1000, 0x2345)
    h[0x18:0x18 + len(comp)] = comp
    return bytes(h)


REFUSED = [
    (b"\x7fELF\x02\x01\x01" + bytes(60), "vmlinux",
     "{p} is an ELF file: give an arm64 Image (arch/arm64/boot/Image) or a flat "
     "binary instead (Linux: arch/arm64/boot/Image, not vmlinux; a program of "
     "your own: objcopy -O binary vmlinux vmlinux.bin)"),
    (b"\x1f\x8b\x08\x00" + bytes(60), "vmlinuz",
     "{p} is gzip-compressed: give the kernel decompressed, e.g. zcat vmlinuz "
     "> Image (Debian's vmlinuz is gzip: zcat)"),
    (b"\xfd7zXZ\x00" + bytes(60), "Image.xz", "{p} is xz-compressed: give the "
     "kernel decompressed, e.g. xzcat Image.xz > Image"),
    (b"\x28\xb5\x2f\xfd" + bytes(60), "Image.zst", "{p} is zstd-compressed: "
     "give the kernel decompressed, e.g. zstdcat Image.zst > Image"),
    (b"BZh91AY&SY" + bytes(60), "Image.bz2", "{p} is bzip2-compressed: give "
     "the kernel decompressed, e.g. bzcat Image.bz2 > Image"),
    (b"\x02\x21\x4c\x18" + bytes(60), "Image.lz4", "{p} is lz4-compressed: "
     "give the kernel decompressed, e.g. lz4cat Image.lz4 > Image"),
    (b"\x04\x22\x4d\x18" + bytes(60), "Image.lz4", "{p} is lz4-compressed"),
    (b"\x5d\x00\x00\x80\x00" + b"\xff" * 8 + bytes(60), "Image.lzma",
     "{p} is lzma-compressed: give the kernel decompressed, e.g. lzcat "
     "Image.lzma > Image"),
    (b"\x89LZO\x00\r\n\x1a\n" + bytes(60), "Image.lzo", "{p} is "
     "lzo-compressed: give the kernel decompressed, e.g. lzop -dc Image.lzo > Image"),
    (zboot(), "vmlinuz.efi",
     "{p} is an EFI zboot image (a gzip arm64 Image inside an EFI loader): "
     "give the Image itself, decompressed: tail -c +4097 vmlinuz.efi | head "
     "-c 9029 | zcat > Image (or build arch/arm64/boot/Image)"),
    (zboot(b"zstd"), "vmlinuz.efi", "| zstdcat > Image"),
    (image(flags=0b1011), "Image", "{p} is a big-endian arm64 Image: Cairn "
     "guests run little-endian: give a little-endian kernel (Linux: without "
     "CONFIG_CPU_BIG_ENDIAN)"),
    (image(text_offset=guest.OLD_BE_TEXT_OFFSET, image_size=0, flags=0),
     "Image", "{p} is a big-endian arm64 Image"),  # pre-3.17: BE text_offset
    (b"\x27\x05\x19\x56" + bytes(60), "uImage", "{p} is a U-Boot uImage: give "
     "the kernel inside it (tail -c +65 uImage > Image, then decompress it if "
     "it is compressed)"),
    (bytes(0x24) + struct.pack("<I", 0x016F2818) + bytes(40), "zImage",
     "{p} is a 32-bit Arm zImage: Cairn guests run AArch64 at EL1"),
    (bytes(0x202) + b"HdrS" + bytes(10), "bzImage", "{p} is an x86 kernel (bzImage)"),
    (b"", "Image", "{p} is empty: give the guest's kernel, an arm64 Image "
     "(arch/arm64/boot/Image) or a flat binary"),
    (bytes(0x38) + b"ARM\x64", "Image", "{p} is 60 bytes, too short for the "
     "64-byte arm64 Image header it starts with: give a whole Image"),
]


@pytest.mark.parametrize("data,name,message", REFUSED,
                         ids=[f"{i}-{r[1]}" for i, r in enumerate(REFUSED)])
def test_refused_kernels_say_why_and_what_instead(tmp_path, data, name, message):
    p = put(tmp_path, data, name)
    with pytest.raises(guest.GuestError) as e:
        guest.inspect_kernel(p, 64 * M)
    if message.startswith("{p}"):
        assert str(e.value).startswith(message.format(p=p))
    else:
        assert message in str(e.value)


def test_missing_kernel_and_directory(tmp_path):
    with pytest.raises(guest.GuestError) as e:
        guest.inspect_kernel(tmp_path / "Image")
    assert str(e.value) == (f"{tmp_path / 'Image'} does not exist: give the "
                            "guest's kernel, an arm64 Image "
                            "(arch/arm64/boot/Image) or a flat binary")
    with pytest.raises(guest.GuestError, match="is a directory: give the guest's kernel"):
        guest.inspect_kernel(tmp_path)


def test_kernel_larger_than_the_domain_is_refused(tmp_path):
    p = put(tmp_path, image(0x20_0000, 40 * M))
    with pytest.raises(guest.GuestError) as e:
        guest.inspect_kernel(p, 32 * M)
    assert str(e.value) == (
        f"{p} needs 42M of guest RAM from its start (loaded at +0x200000, "
        "0x2800000 bytes by image_size, BSS included), more than the "
        "domain's 32M: raise the domain's memory to at least \"44M\"")
    raw = put(tmp_path, bytes(20 * M), "big.bin")
    with pytest.raises(guest.GuestError, match=r"needs 20992K .* by the "
                       r"file's size\), more than the domain's 16M"):
        guest.inspect_kernel(raw, 16 * M)
    assert guest.inspect_kernel(raw).kind == "raw"  # no memory: no limit


def test_an_efi_stub_image_is_an_image(tmp_path):
    data = bytearray(image())
    data[0:2] = b"MZ"  # code0 of an EFI-stub kernel: "MZ" and an add
    assert guest.inspect_kernel(put(tmp_path, bytes(data)), 64 * M).kind == "image"


# ---- placement ---------------------------------------------------------------

def kernel(tmp_path, **kw):
    return guest.inspect_kernel(put(tmp_path, image(**kw)))


def test_layout_without_initrd(tmp_path):
    lo = guest.guest_layout(kernel(tmp_path, text_offset=0, image_size=0x31_0000), 64 * M)
    assert (lo.ram_base, lo.ram_size, lo.ram_end) == (RAM, 64 * M, RAM + 64 * M)
    assert lo.kernel_ipa == lo.entry_ipa == RAM
    assert lo.kernel_end == RAM + 0x31_0000
    assert lo.kernel_file_size == 4160
    assert (lo.dtb_ipa, lo.dtb_max) == (RAM + 62 * M, 2 * M)
    assert (lo.initrd_ipa, lo.initrd_size, lo.initrd_end) == (0, 0, 0)


def test_layout_with_initrd_below_the_dtb(tmp_path):
    lo = guest.guest_layout(kernel(tmp_path), 128 * M, initrd_size=5 * M + 1)
    assert lo.kernel_ipa == RAM + 0x80000
    assert lo.dtb_ipa == RAM + 126 * M
    assert lo.initrd_ipa % (64 << 10) == 0
    assert lo.initrd_ipa == lo.dtb_ipa - 5 * M - (64 << 10)
    assert lo.initrd_end == lo.initrd_ipa + 5 * M + 1 <= lo.dtb_ipa
    assert lo.initrd_ipa >= lo.kernel_end


def test_layout_stays_in_the_first_32g(tmp_path):
    lo = guest.guest_layout(kernel(tmp_path), 40 << 30, initrd_size=M)
    assert lo.dtb_ipa == RAM + (32 << 30) - 2 * M
    assert lo.initrd_end <= RAM + (32 << 30)


def test_layout_exactly_fits(tmp_path):
    k = kernel(tmp_path, text_offset=0, image_size=10 * M)
    lo = guest.guest_layout(k, 16 * M, initrd_size=4 * M)
    assert (lo.initrd_ipa, lo.kernel_end) == (RAM + 10 * M, RAM + 10 * M)


def test_initrd_that_does_not_fit(tmp_path):
    k = kernel(tmp_path, text_offset=0, image_size=10 * M)
    with pytest.raises(guest.GuestError) as e:
        guest.guest_layout(k, 16 * M, initrd_size=4 * M + 1)
    assert str(e.value) == (
        "the initrd (4097K) does not fit between the kernel's end (0x40a00000) "
        "and the DTB (0x40e00000) in a 16M domain: raise the domain's memory "
        "to at least \"18M\"")


def test_kernel_reaching_into_the_dtb(tmp_path):
    k = kernel(tmp_path, text_offset=0, image_size=15 * M)
    with pytest.raises(guest.GuestError) as e:
        guest.guest_layout(k, 16 * M)
    assert str(e.value) == (
        f"{k.path} ends at 0x40f00000 (by image_size, BSS included) and leaves no "
        "room for the DTB at 0x40e00000, the last 2M of a 16M domain: raise "
        "the domain's memory to at least \"18M\"")


def test_layout_refuses_memory_not_in_2m_frames(tmp_path):
    with pytest.raises(guest.GuestError, match=r"^17M of guest RAM is not a "
                       "multiple of 2M: guest RAM is mapped in 2 MiB frames$"):
        guest.guest_layout(kernel(tmp_path), 17 * M)


def test_initrd_needing_more_than_32g(tmp_path):
    with pytest.raises(guest.GuestError, match="use a smaller initrd: Linux "
                       "wants it within the first 32G"):
        guest.guest_layout(kernel(tmp_path), 40 << 30, initrd_size=33 << 30)


# ---- the device tree ---------------------------------------------------------

def dtb(tmp_path, vcpus=1, memory=64 * M, bootargs="", initrd_size=0):
    dom = SimpleNamespace(name="guest0", vcpus=vcpus, bootargs=bootargs)
    lo = guest.guest_layout(kernel(tmp_path), memory, initrd_size)
    libfdt = pytest.importorskip("libfdt")
    return libfdt.Fdt(guest.guest_dtb(dom, SimpleNamespace(name="demo"), lo)), lo


def prop(fdt, path, name):
    return fdt.getprop(fdt.path_offset(path), name)


def cells(fdt, path, name):
    raw = bytes(prop(fdt, path, name))
    return list(struct.unpack(f">{len(raw) // 4}I", raw))


def u64s(fdt, path, name):
    raw = bytes(prop(fdt, path, name))
    return list(struct.unpack(f">{len(raw) // 8}Q", raw))


def test_dtb_memory_and_root(tmp_path):
    fdt, _ = dtb(tmp_path, memory=256 * M)
    assert cells(fdt, "/", "#address-cells") == cells(fdt, "/", "#size-cells") == [2]
    assert prop(fdt, "/memory@40000000", "device_type").as_str() == "memory"
    assert u64s(fdt, "/memory@40000000", "reg") == [RAM, 256 * M]
    gic = fdt.get_phandle(fdt.path_offset("/intc@8000000"))
    assert cells(fdt, "/", "interrupt-parent") == [gic]


@pytest.mark.parametrize("vcpus", [1, 4, 8])
def test_dtb_cpus_and_redistributors(tmp_path, vcpus):
    fdt, _ = dtb(tmp_path, vcpus=vcpus)
    assert cells(fdt, "/cpus", "#address-cells") == [1]
    assert cells(fdt, "/cpus", "#size-cells") == [0]
    names = []
    node = fdt.first_subnode(fdt.path_offset("/cpus"))
    while True:
        names.append(fdt.get_name(node))
        try:
            node = fdt.next_subnode(node)
        except Exception:  # libfdt.FdtException: no more
            break
    assert names == [f"cpu@{i}" for i in range(vcpus)]
    for i in range(vcpus):
        cpu = f"/cpus/cpu@{i}"
        assert cells(fdt, cpu, "reg") == [i]  # MPIDR affinity = index
        assert prop(fdt, cpu, "device_type").as_str() == "cpu"
        assert prop(fdt, cpu, "compatible").as_str() == "arm,armv8"
        assert prop(fdt, cpu, "enable-method").as_str() == "psci"
    gic = "/intc@8000000"
    assert u64s(fdt, gic, "reg") == [0x0800_0000, 0x1_0000,
                                     0x080a_0000, 0x2_0000 * vcpus]
    assert prop(fdt, gic, "compatible").as_str() == "arm,gic-v3"
    assert cells(fdt, gic, "#interrupt-cells") == [3]
    assert cells(fdt, gic, "#redistributor-regions") == [1]
    assert bytes(prop(fdt, gic, "interrupt-controller")) == b""


def test_dtb_psci_timer_and_uart(tmp_path):
    fdt, _ = dtb(tmp_path)
    assert prop(fdt, "/psci", "method").as_str() == "hvc"
    assert bytes(prop(fdt, "/psci", "compatible")) == b"arm,psci-1.0\0arm,psci-0.2\0"
    assert prop(fdt, "/timer", "compatible").as_str() == "arm,armv8-timer"
    assert cells(fdt, "/timer", "interrupts") == [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]
    assert bytes(prop(fdt, "/timer", "always-on")) == b""
    uart = "/pl011@9000000"
    assert bytes(prop(fdt, uart, "compatible")) == b"arm,pl011\0arm,primecell\0"
    assert u64s(fdt, uart, "reg") == [0x0900_0000, 0x1000]
    assert cells(fdt, uart, "interrupts") == [0, 1, 4]  # SPI 1, level-high
    clk = fdt.get_phandle(fdt.path_offset("/apb-pclk"))
    assert cells(fdt, uart, "clocks") == [clk, clk]
    assert bytes(prop(fdt, uart, "clock-names")) == b"uartclk\0apb_pclk\0"
    assert cells(fdt, "/apb-pclk", "clock-frequency") == [24_000_000]
    assert prop(fdt, "/apb-pclk", "compatible").as_str() == "fixed-clock"


def test_dtb_chosen(tmp_path):
    args = 'console=ttyAMA0 earlycon root=/dev/ram "quoted" \\ tab\there é'
    fdt, lo = dtb(tmp_path, bootargs=args, initrd_size=3000)
    assert bytes(prop(fdt, "/chosen", "bootargs")) == args.encode() + b"\0"
    stdout = prop(fdt, "/chosen", "stdout-path").as_str()
    assert stdout == "/pl011@9000000"
    assert fdt.path_offset(stdout) == fdt.path_offset("/pl011@9000000")
    assert prop(fdt, "/aliases", "serial0").as_str() == stdout
    assert u64s(fdt, "/chosen", "linux,initrd-start") == [lo.initrd_ipa]
    assert u64s(fdt, "/chosen", "linux,initrd-end") == [lo.initrd_ipa + 3000]


def test_dtb_chosen_without_initrd_or_bootargs(tmp_path):
    libfdt = pytest.importorskip("libfdt")
    fdt, _ = dtb(tmp_path)
    chosen = fdt.path_offset("/chosen")
    for name in ("bootargs", "linux,initrd-start", "linux,initrd-end"):
        with pytest.raises(libfdt.FdtException):
            fdt.getprop(chosen, name)


def test_dtb_fits_in_its_2m(tmp_path):
    fdt, _ = dtb(tmp_path, vcpus=8, bootargs="x" * guest.BOOTARGS_MAX,
                 initrd_size=M)
    assert fdt.totalsize() < 8192  # far below DTB_MAX


def test_dts_round_trip_names_every_node(tmp_path):
    dom = SimpleNamespace(name="g", vcpus=2, bootargs="quiet")
    lo = guest.guest_layout(kernel(tmp_path), 64 * M)
    text = guest.dtb_to_dts(guest.guest_dtb(dom, None, lo))
    for node in ("memory@40000000", "cpu@1", "psci", "intc@8000000", "timer",
                 "apb-pclk", "pl011@9000000", "chosen"):
        assert f"\t{node} {{" in text
    assert 'bootargs = "quiet";' in text


def test_guest_dts_refuses_too_many_vcpus(tmp_path):
    lo = guest.guest_layout(kernel(tmp_path), 64 * M)
    dom = SimpleNamespace(name="g", vcpus=9, bootargs="")
    with pytest.raises(guest.GuestError, match="9 vCPUs: a guest has 1 to 8"):
        guest.guest_dts(dom, None, lo)


def test_dtc_missing_says_run_setup(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    lo = guest.guest_layout(kernel(tmp_path), 64 * M)
    dom = SimpleNamespace(name="g", vcpus=1, bootargs="")
    with pytest.raises(guest.GuestError, match="dtc is not installed .*tools/setup"):
        guest.guest_dtb(dom, None, lo)


def test_payload_of_a_manifest_domain(tmp_path):
    pytest.importorskip("libfdt")
    initrd = put(tmp_path, b"cpio" * 1000, "initrd")
    dom = SimpleNamespace(name="g", vcpus=2, bootargs="quiet", memory_bytes=32 * M,
                          kernel=put(tmp_path, image(text_offset=0)), initrd=initrd)
    p = guest.payload(dom, SimpleNamespace(name="demo"))
    assert (p.kernel.kind, p.initrd) == ("image", initrd)
    assert (p.layout.kernel_ipa, p.layout.initrd_size) == (RAM, 4000)
    assert p.layout.dtb_ipa == RAM + 30 * M
    assert p.dtb[:4] == b"\xd0\x0d\xfe\xed" and len(p.dtb) <= p.layout.dtb_max
