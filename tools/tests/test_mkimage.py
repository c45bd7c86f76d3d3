import struct

import pytest

from cairn import mkimage


def fake_kernel(binary_len=0x1800, image_size=0x3000):
    k = bytearray(binary_len)
    k[56:60] = b"ARM\x64"
    struct.pack_into("<Q", k, 16, image_size)
    return bytes(k)


def test_pack_places_table_after_bss_and_modules_on_pages():
    image = mkimage.pack(fake_kernel(), [("root", b"R" * 5000), ("kernel.syms", b"S" * 10)])
    assert len(image) % mkimage.PAGE == 0
    assert struct.unpack_from("<Q", image, 16)[0] == len(image)
    assert image[0x3000:0x3008] == b"CAIRNIMG"  # at the old image_size
    version, count = struct.unpack_from("<II", image, 0x3008)
    assert (version, count) == (1, 2)
    mods = mkimage.unpack(image)
    assert mods == {"root": b"R" * 5000, "kernel.syms": b"S" * 10}
    for i in range(count):
        off, = struct.unpack_from("<Q", image, 0x3010 + i * 48 + 32)
        assert off % mkimage.PAGE == 0 and off > 0x3000
    # BSS between the binary and the table is zero-filled.
    assert image[0x1800:0x3000] == bytes(0x1800)


@pytest.mark.parametrize("kernel,modules,message", [
    (bytes(4096), [], "no arm64 Image header"),
    (fake_kernel(image_size=0x1000), [], "is not a page-aligned size covering"),
    (fake_kernel(image_size=0x3001), [], "is not a page-aligned size covering"),
    (fake_kernel(), [("x" * 32, b"")], "1 to 31 bytes"),
    (fake_kernel(), [("", b"")], "1 to 31 bytes"),
    (fake_kernel(), [(f"m{i}", b"") for i in range(25)], "at most 24 fit"),
])
def test_pack_rejects(kernel, modules, message):
    with pytest.raises(mkimage.ImageError, match=message):
        mkimage.pack(kernel, modules)


def test_symbols_sorted_with_string_offsets():
    blob = mkimage.encode_symbols([(0x2000, "b"), (0x1000, "a_longer")])
    assert blob[:8] == b"CAIRNSYM"
    count, strtab_size = struct.unpack_from("<II", blob, 8)
    assert count == 2
    entries = [struct.unpack_from("<QII", blob, 16 + 16 * i) for i in range(2)]
    strtab = blob[16 + 32:]
    assert len(strtab) == strtab_size
    names = [strtab[e[1]:].split(b"\0")[0] for e in entries]
    assert [e[0] for e in entries] == [0x1000, 0x2000]
    assert names == [b"a_longer", b"b"]
