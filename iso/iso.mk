# The installer ISO, the demo OS payload, QEMU runs. Included from the top-level Makefile.
#   make payload     build/payload/cos-image.raw.zst(+.sha256): the DEMO OS (a stand-in for COS)
#   make iso         build/cos-installer.iso   (PAYLOAD=/path/to/cos.raw.zst uses a real image;
#                    SIGNING_KEY=FILE|KEYID signs its checksum, else the demo's throw-away key)
#   make qemu-demo   boot the ISO in QEMU, serial console here, 2 disks, 2 NICs (one NoLink)
#   make netboot     build/netboot/: the live system, payload (+.sha256, .size), iPXE, boot.ipxe
#   make e2e         unattended install + checks of the installed system + an interactive run
# Expensive steps are cached in $(COS_CACHE) keyed by their inputs; COS_NO_CACHE=1 builds cold.
ISO          ?= build/cos-installer.iso
DEMO_PAYLOAD := build/payload/cos-image.raw.zst
PAYLOAD      ?= $(DEMO_PAYLOAD)
COS_CACHE    ?= /var/cache/cos-installer
export COS_CACHE
export SIGNING_KEY SIGNING_KEY_PASSPHRASE_FILE

NETBOOT      ?= build/netboot

.PHONY: iso payload qemu-demo e2e iso-deps netboot

iso-deps:
	scripts/install-debs.sh scripts/debs-iso.txt

payload: iso-deps
	iso/build-demo-os.sh $(dir $(DEMO_PAYLOAD))

iso: iso-deps venv $(if $(filter $(DEMO_PAYLOAD),$(PAYLOAD)),payload)
	iso/build-iso.sh $(PAYLOAD) $(ISO)

netboot: iso
	$(PY) iso/build-netboot.py $(ISO) $(NETBOOT)

qemu-demo: iso
	python3 iso/vm.py demo $(ISO) $(if $(UEFI),--uefi)

e2e: iso netboot
	$(PY) iso/e2e.py --iso $(ISO) --netboot $(NETBOOT) --workdir build/e2e
