# forgehook: GitHub-compatible webhooks for self-hosted bare git repositories.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO      ?= go
export CGO_ENABLED = 1

.PHONY: build test vet staticcheck fmt-check tidy-check fuzz demo bench check clean

## build: compile bin/forgehook
build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/forgehook ./cmd/forgehook

## test: vet, staticcheck, format check, and every test with the race detector
test: vet staticcheck fmt-check
	$(GO) test -race -shuffle=on -count=1 -timeout 12m ./...

vet:
	$(GO) vet ./...

## staticcheck: the linter; .ci/run installs it (go install honnef.co/go/tools/cmd/staticcheck@v0.8.2)
STATICCHECK ?= $(or $(shell command -v staticcheck),$(shell $(GO) env GOPATH)/bin/staticcheck)
staticcheck:
	@test -x "$(STATICCHECK)" || { echo "staticcheck not found: go install honnef.co/go/tools/cmd/staticcheck@v0.8.2"; exit 1; }
	$(STATICCHECK) ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

## fuzz: run each fuzz target for a short while
fuzz:
	scripts/fuzz.sh $${FUZZTIME:-10s}

## demo: show a push reaching a verifying receiver, end to end, on this machine
demo: build
	scripts/demo.sh

## bench: run the benchmarks and print the table
bench: build
	scripts/bench.sh

check: test tidy-check fuzz

clean:
	rm -rf bin
