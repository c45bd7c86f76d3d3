"""Host-side tools for Cairn: manifests, image packing and the QEMU harness."""
