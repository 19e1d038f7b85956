# vlanraw: build, test, benchmark.
#
#   make demo    act out the ipvlan L3 article: a network, two endpoints, a router (QEMU if the kernel lacks ipvlan)
#   make test    unit tests, host tests (root), and the QEMU tests (make vmtest)
#   make bench   benchmarks against iproute2 and the CNI plugins
GO      ?= go
BIN     := $(CURDIR)/bin
KERNELS ?= 6.1 6.12

.PHONY: all build deps test unittest fuzz vmtest bench lint demo demo-links generate clean
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
vmtest: deps
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/vmtest ./testenv/cmd/vmtest
	@fail=; for k in $(KERNELS); do \
		echo "== vmtest: kernel $$k"; \
		$(GO) test -count=1 -exec "$(BIN)/vmtest -kernel $$k" ./testenv/ ./testenv/traffic/ ./rtnl/... ./links/... ./modes/... ./cmd/vlanraw/... || fail="$$fail $$k"; \
	done; \
	if [ -n "$$fail" ]; then echo "vmtest: FAILED on kernel(s):$$fail"; exit 1; fi

bench: deps
	$(GO) test -count=1 -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 30m ./bench/...

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

clean:
	rm -rf $(BIN)
