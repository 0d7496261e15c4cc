# minicrm-bulk: the two commands a new machine needs are `make demo` and `make test`.
GO        ?= go
BIN       ?= bin/minicrm-bulk
PKGS      ?= ./...
FUZZTIME  ?= 30s

.PHONY: build test demo soak bench fuzz live vet fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/minicrm-bulk

# What CI runs (.ci/run): vet, then every test with the race detector.
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

# The main job end to end on the embedded sandbox; nothing else needed.
demo:
	$(GO) run ./cmd/minicrm-bulk demo

# The long reliability suite: 20 SIGKILLs during an import, each resumed;
# a 10,000-row import through 5% 500s, 429 storms, dropped connections and
# latency spikes. Both end with no duplicate and the state of a clean run.
# (make test runs short versions of both.)
soak:
	MINICRM_BULK_SOAK=20 $(GO) test -count=1 -timeout=60m -run='^TestImportKillResume$$' -v ./cmd/minicrm-bulk
	MINICRM_BULK_SOAK_FAULTS=1 $(GO) test -count=1 -timeout=60m -run='^TestFaultsSoak$$' -v ./pipeline

# The client's contract against a real MiniCRM TEST system (make test runs
# it against the sandbox): needs MINICRM_SYSTEM_ID and MINICRM_API_KEY, and
# says what it skipped without them. See docs/testing.md.
live:
	$(GO) test -tags live -count=1 -run='^TestContract' -v ./restapi/

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
