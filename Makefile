# vlanraw: build, test, benchmark.
#
#   make demo    act out the ipvlan L3 article: a network, two endpoints, a router (QEMU if the kernel lacks ipvlan)
#   make test    unit tests, host tests (root), and the QEMU tests (make vmtest)
#   make bench   benchmarks against iproute2 and the CNI plugins (and the eBPF classifier against a trivial counter)
#   make generate  rebuild the eBPF classifier (bpf/counter.c) into the committed objects
GO      ?= go
BIN     := $(CURDIR)/bin
KERNELS ?= 6.1 6.12

.PHONY: all build deps test unittest fuzz vmtest bench lint demo demo-links generate generate-check clean
FUZZTIME ?= 10s
BENCHTIME ?= 3x

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/vlanraw ./cmd/vlanraw

# deps installs the Debian packages the tests and the demo need.
deps:
	@bash testenv/deps.sh

# unittest runs every test on the host. As root it also runs the
# privileged tests in throwaway network namespaces; tests that need a link
# kind the host kernel lacks skip there and run in make vmtest.
unittest: deps
	$(MAKE) --no-print-directory generate-check
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

# fuzz runs each fuzz target for FUZZTIME (see testenv/fuzz.sh).
fuzz:
	@GO=$(GO) bash testenv/fuzz.sh rtnl $(FUZZTIME)
	@GO=$(GO) bash testenv/fuzz.sh modes/ipam $(FUZZTIME)

test: unittest vmtest

# vmtest runs the rtnl and links tests inside QEMU on each of $(KERNELS),
# with bin/vmtest as go test's -exec (see testenv/cmd/vmtest); ./testenv/
# checks there that every link kind the harness reports can be created.
# iproute2's tc goes into the guest too, as the bpf tests' peer.
vmtest: deps
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/vmtest ./testenv/cmd/vmtest
	@fail=; tc=$$(command -v tc || true); \
	export VLANRAW_VMTEST_EXTRA="$${VLANRAW_VMTEST_EXTRA:+$$VLANRAW_VMTEST_EXTRA:}$$tc"; \
	for k in $(KERNELS); do \
		echo "== vmtest: kernel $$k"; \
		$(GO) test -count=1 -exec "$(BIN)/vmtest -kernel $$k" ./testenv/ ./testenv/traffic/ ./rtnl/... ./links/... ./modes/... ./cmd/vlanraw/... ./bpf/ || fail="$$fail $$k"; \
	done; \
	if [ -n "$$fail" ]; then echo "vmtest: FAILED on kernel(s):$$fail"; exit 1; fi

bench: deps
	$(GO) test -count=1 -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 30m ./bench/... ./bpf/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

# demo acts out the ipvlan L3 article with vlanraw alone (cmd/vlanraw-demo):
# on this kernel when it can create ipvlan links, else inside QEMU on
# Debian's 6.12 kernel, with bin/vlanraw added to the guest.
demo: deps build
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/vlanraw-demo ./cmd/vlanraw-demo
	@$(BIN)/vlanraw-demo -probe; rc=$$?; \
	if [ $$rc = 0 ]; then \
		$(BIN)/vlanraw-demo -vlanraw $(BIN)/vlanraw; \
	elif [ $$rc = 3 ]; then \
		echo "demo: kernel $$(uname -r) cannot create ipvlan links: running the demo in QEMU on Debian's 6.12 kernel"; \
		CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/vmtest ./testenv/cmd/vmtest && \
		VLANRAW_VMTEST_EXTRA=$(BIN)/vlanraw $(BIN)/vmtest -kernel 6.12 -- $(BIN)/vlanraw-demo -vlanraw $(BIN)/vlanraw; \
	else \
		exit $$rc; \
	fi

# demo-links creates, shows and deletes links of every macvlan mode in a
# throwaway namespace (cmd/vlanraw/demo.sh).
demo-links: deps build
	@bash cmd/vlanraw/demo.sh $(BIN)/vlanraw

# generate rebuilds the eBPF classifier (bpf/counter.c) into the
# committed bpf/counter_bpfel.o and bpf/counter_bpfel.go with bpf2go,
# installing Debian's clang and llvm first when they are missing.
generate:
	@bash testenv/deps.sh generate
	$(GO) generate ./bpf/

# generate-check regenerates the classifier into a temporary directory
# and fails if the committed objects differ (bpf/generate-check.sh).
generate-check:
	@bash testenv/deps.sh generate
	@GO=$(GO) bash bpf/generate-check.sh

clean:
	rm -rf $(BIN)
