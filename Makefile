# minicrm-bulk: the two commands a new machine needs are `make demo` and `make test`.
GO        ?= go
BIN       ?= bin/minicrm-bulk
PKGS      ?= ./...
FUZZTIME  ?= 30s

.PHONY: build test demo bench fuzz vet fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/minicrm-bulk

# What CI runs (.ci/run): vet, then every test with the race detector.
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

# The main job end to end on the embedded sandbox; nothing else needed.
demo:
	$(GO) run ./cmd/minicrm-bulk demo

# Benchmarks print their ratios (achieved/allowed rate, memory growth…).
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=1x -timeout=60m $(PKGS)

# Every fuzz target, FUZZTIME each (go test runs one -fuzz target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
