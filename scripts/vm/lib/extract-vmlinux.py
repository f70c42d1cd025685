#!/usr/bin/env python3
"""extract-vmlinux.py BZIMAGE OUT — write the uncompressed ELF kernel embedded in a bzImage.

QEMU boots such an ELF directly through its PVH entry point (ELF note type 18, owner "Xen"), which under
TCG saves the firmware, the real-mode setup and the in-guest decompression. Exits 1 when no compressed
payload decompresses to an ELF that carries the PVH note, so the caller can fall back to the bzImage."""
import lzma, struct, sys, zlib

def candidates(blob):
    """(offset, decompress function) for every compressed-stream magic found in the bzImage."""
    magics = [
        (b'\xfd7zXZ\x00', lambda b: lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(b)),
        (b'\x1f\x8b\x08', lambda b: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b)),
    ]
    for magic, fn in magics:
        start = 0
        while True:
            i = blob.find(magic, start)
            if i < 0:
                break
            yield i, fn
            start = i + 1

def has_pvh_note(elf):
    if elf[:4] != b'\x7fELF' or elf[4] != 2:      # 64-bit ELF only
        return False
    phoff, = struct.unpack_from('<Q', elf, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', elf, 0x36)
    for k in range(phnum):
        p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from('<IIQQQQ', elf, phoff + k * phentsize)
        if p_type != 4:                            # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from('<III', elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b'\0')
            if name == b'Xen' and ntype == 18:     # XEN_ELFNOTE_PHYS32_ENTRY
                return True
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False

def main():
    src, out = sys.argv[1], sys.argv[2]
    blob = open(src, 'rb').read()
    for off, fn in candidates(blob):
        try:
            elf = fn(blob[off:])
        except Exception:
            continue
        if has_pvh_note(elf):
            with open(out, 'wb') as f:
                f.write(elf)
            return 0
    print('extract-vmlinux: no PVH-capable ELF found in ' + src, file=sys.stderr)
    return 1

if __name__ == '__main__':
    sys.exit(main())
