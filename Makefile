# SPDX-License-Identifier: GPL-2.0
#
# efi_rt_gate: a Linux 6.12 patch series, its build and its test harness.
#
#   make demo     build if needed, boot under QEMU+OVMF+swtpm, print what the guest saw
#   make check    build, run every scenario, KUnit and the series gates,
#                 print "N passed, N failed"
#   make series   write the mailable patch series to build/series/
#                 (ON_SLAUNCH=1: also the series for a tree that carries
#                 Secure Launch, without its glue, in build/series-on-slaunch/)
#
# Other targets: deps base apply kernel selftests initramfs clean distclean.
# KSRC=/path/to/linux-6.12.y uses that tree as the base instead of Debian's
# linux-source-6.12 (6.12.117).

PROJ    := $(CURDIR)
B       := $(PROJ)/build
TREE    := $(B)/linux
export TREE

SELFTEST_SRC := $(wildcard tools/testing/selftests/efi_rt_gate/*)
GUEST_SRC    := guest/init guest/demo.sh guest/installer-demo.sh scripts/mkinitramfs.sh

.PHONY: all deps base apply kernel selftests initramfs demo check bench series series-check clean distclean FORCE

all: kernel initramfs

deps:
	@scripts/deps.sh

base: deps
	@scripts/base.sh

apply: base
	@scripts/apply.sh

kernel: apply
	@scripts/build-kernel.sh default

$(B)/selftests/.stamp: $(SELFTEST_SRC) | apply
	@rm -rf $(B)/selftests && mkdir -p $(B)/selftests
	@$(MAKE) -s -C $(TREE)/tools/testing/selftests/efi_rt_gate \
		OUTPUT=$(B)/selftests USERCFLAGS=-Werror USERLDFLAGS=-static
	@touch $@

selftests: apply
	@$(MAKE) -s $(B)/selftests/.stamp

$(B)/initramfs-min.cpio.gz: $(B)/selftests/.stamp $(GUEST_SRC)
	@scripts/mkinitramfs.sh $@ $(B)/selftests min

$(B)/initramfs-tools.cpio.gz: $(B)/selftests/.stamp $(GUEST_SRC)
	@scripts/mkinitramfs.sh $@ $(B)/selftests tools

initramfs: selftests
	@$(MAKE) -s $(B)/initramfs-min.cpio.gz $(B)/initramfs-tools.cpio.gz

demo: all
	@scripts/demo.sh

series: apply
	@/usr/bin/python3 scripts/mkseries.py $(if $(ON_SLAUNCH),--on-slaunch)

series-check: series kernel initramfs
	@scripts/series-check.sh

bench: all
	@scripts/bench.sh

check: all
	@scripts/check.sh

clean:
	rm -rf $(B)/kbuild $(B)/selftests $(B)/runs $(B)/stage $(B)/initramfs-*.cpio.gz

distclean:
	rm -rf $(B)
