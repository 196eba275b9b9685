# lifttest: `make bench` replays the bundled cassettes, `make test` runs every test.
SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := test

GO        ?= go
COUNT     ?= 1
BENCH     ?= .
BENCHTIME ?= 20x
OUT       ?= results/bench-$(shell date +%Y%m%d-%H%M%S).txt
ENDPOINT  ?= $(LIFTTEST_ENDPOINT)
GPU       ?=
REFADDR   ?= 127.0.0.1:8787
# CASE=suite/case narrows record to one cassette, e.g. CASE=simple/add_numbers.
CASE      ?=
RUN       := TestSuites$(if $(CASE),/suite=$(firstword $(subst /, ,$(CASE)))/case=$(word 2,$(subst /, ,$(CASE)))$$)
GPUFLAG   := $(if $(GPU),-gpu $(GPU))
# The OpenAI-compatible provider's settings, passed through by the live and
# record targets (each also has its environment variable: see README).
PROVIDER   ?=
MODEL      ?=
API        ?=
STRUCTURED ?=
STREAM     ?=
PROVFLAGS  := $(if $(PROVIDER),-provider '$(PROVIDER)') $(if $(MODEL),-model '$(MODEL)') $(if $(API),-api '$(API)') $(if $(STRUCTURED),-structured '$(STRUCTURED)') $(if $(filter 1 true yes,$(STREAM)),-stream)
RESULTS    ?= results

.PHONY: e2e loopback test fuzz bench gate baseline report loadtest bench-live record record-reference compare compare-runs drift prbench lint validate-humaneval perf clean

# Tests serve HTTP on 127.0.0.1 and nothing else. A fresh network namespace
# (`unshare -n`, some CI sandboxes) has its loopback interface down; bring it
# up there when permitted. On a normal host lo is up and this does nothing.
loopback:
	@if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then \
		ip link set lo up 2>/dev/null || echo "make: the loopback interface is down and cannot be brought up: tests that serve on 127.0.0.1 will fail"; fi

## test: every test, offline, with the race detector, through gotestsum
test: loopback
	$(GO) tool gotestsum --format pkgname-and-test-fails -- -race -count=1 ./...

## fuzz: run every fuzz target for FUZZTIME each (go test -fuzz takes one target per run); new crashers land in the package's testdata/fuzz
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./internal/ir:FuzzParseIR \
	./internal/ir:FuzzParseCode \
	./internal/schema:FuzzValidate \
	./internal/schema:FuzzDecode \
	./internal/assemble:FuzzAssemble \
	./internal/assemble:FuzzDefinedFunctions \
	./internal/assemble:FuzzNormalizeType \
	./internal/assemble:FuzzTypingRefs \
	./internal/cassette:FuzzMatch \
	./internal/cassette:FuzzCheck \
	./internal/cassette:FuzzReplayFindAgreesWithMatch \
	./internal/openai:FuzzStreamReaderAgreesWithRecorder \
	./internal/openai:FuzzDecodeChunk \
	./internal/modal:FuzzDecodeAnswer \
	./internal/provider/jsonscan:FuzzScanner \
	./internal/redact:FuzzScrubber \
	./internal/redact:FuzzTerminal \
	./internal/redact:FuzzExcerpt \
	./internal/report:FuzzReadJournal
fuzz: loopback
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## bench: replay the bundled cassettes as benchmarks (output also saved to $(OUT))
bench:
	@mkdir -p $(dir $(OUT))
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -count $(COUNT) $(GPUFLAG) . | tee $(OUT)

## bench-live: the same benchmarks against a real endpoint, one request per case and count; the journal, results files, reports and gate go to $(RESULTS)/
bench-live:
	@test -n "$(ENDPOINT)" || { echo "bench-live: set ENDPOINT=https://<workspace>--generate.modal.run (or LIFTTEST_ENDPOINT)"; exit 2; }
	@mkdir -p $(dir $(OUT))
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime 1x -count $(COUNT) -timeout 0 -live -endpoint '$(ENDPOINT)' -results '$(RESULTS)' $(GPUFLAG) $(PROVFLAGS) $(if $(SUITE),-suite '$(SUITE)') $(if $(SHARD),-shard '$(SHARD)') . | tee $(OUT)

## e2e: the conformance tier against a real OpenAI-compatible server (ENDPOINT=http://127.0.0.1:8080/v1 MODEL=name; E2E_KEY= the server's --api-key, SMALL_CTX= the same server with a small -c, SAVE=dir keeps the cassettes): every -api x -stream recorded then replayed offline, the canary, a wrong -structured and key, max_tokens vs the context window, TPOT vs the server's
E2E_KEY   ?=
SMALL_CTX ?=
SAVE      ?=
e2e: loopback
	@test -n "$(ENDPOINT)" -a -n "$(MODEL)" || { echo "e2e: set ENDPOINT=http://127.0.0.1:8080/v1 and MODEL=<served model>"; exit 2; }
	$(GO) test -count=1 -timeout 60m -v ./internal/conformance -e2e.endpoint '$(ENDPOINT)' -e2e.model '$(MODEL)' $(if $(E2E_KEY),-e2e.key '$(E2E_KEY)') $(if $(SMALL_CTX),-e2e.small-ctx-endpoint '$(SMALL_CTX)') $(if $(SAVE),-e2e.save '$(abspath $(SAVE))')

## record: re-record cassettes against ENDPOINT (CASE=suite/case for one)
record:
	@test -n "$(ENDPOINT)" || { echo "record: set ENDPOINT=https://<workspace>--generate.modal.run (or LIFTTEST_ENDPOINT)"; exit 2; }
	$(GO) test -count=1 -timeout 0 -run '$(RUN)' -record -endpoint '$(ENDPOINT)' $(PROVFLAGS) -v .
	@git status --short cassettes || true

## record-reference: re-record the bundled cassettes against the scripted reference endpoint, suite by suite, in real time (cases in parallel: about 5 minutes)
REFSUITES ?= simple phase2 nontrivial expanded humaneval_sample
record-reference: loopback
	$(GO) build -o bin/refserver ./internal/cmd/refserver
	@for s in $(REFSUITES); do \
		bin/refserver -addr $(REFADDR) -suite $$s -timescale 1 & pid=$$!; \
		for i in $$(seq 50); do (exec 3<>/dev/tcp/$(subst :,/,$(REFADDR))) 2>/dev/null && break; sleep 0.1; done; \
		$(GO) test -count=1 -timeout 0 -run '^TestSuites$$' -record -suite $$s -concurrency 64 -endpoint http://$(REFADDR)/generate . ; rc=$$?; \
		kill $$pid; wait $$pid 2>/dev/null; test $$rc = 0 || exit $$rc; \
	done

## gate: replay the suites and compare each with its baseline in baselines/ (fails on a crossed fail threshold; SUITE=name[/subset] for one)
SUITE ?=
SHARD ?=
GATE  ?=
gate: loopback
	$(GO) test -count=1 -run '^TestSuites$$' -gate $(if $(SUITE),-suite '$(SUITE)') $(GPUFLAG) .

## baseline: write baselines/<suite>.json from a replay (SUITE=simple; LIFTTEST_MODE=live LIFTTEST_ENDPOINT=... for a live one), then review and commit it
baseline: loopback
	@test -n "$(SUITE)" || { echo "baseline: set SUITE=simple (or another suite, or suite/subset)"; exit 2; }
	$(GO) test -count=1 -run '^TestSuites$$' -write-baseline -suite '$(SUITE)' $(GPUFLAG) .
	@git diff --stat -- baselines || true

## report: run the suites and write a journal, results files and Markdown/HTML reports under results/ (JOURNAL=file rebuilds them from a journal instead; a glob or comma-separated list merges a run's shards; GATE=1 gates them)
JOURNAL ?=
report: loopback
ifeq ($(JOURNAL),)
	$(GO) test -count=1 -run '^TestSuites$$' -results results $(if $(SUITE),-suite '$(SUITE)') $(GPUFLAG) .
else
	$(GO) run ./internal/cmd/report -journal '$(JOURNAL)' -md results/report.md -html results/report.html -json results/results.json $(if $(GATE),-gate)
endif

## loadtest: lifttest's client path vs $(LOADTOOL) against the zero-delay reference endpoint (installs $(LOADTOOL) when missing)
CONCURRENCY ?= 64
DURATION    ?= 10s
LOADTOOL    ?= wrk
loadtest: loopback
	@command -v $(LOADTOOL) >/dev/null || { apt-get update -qq && apt-get install -y -qq $(LOADTOOL); } || { echo "loadtest: install $(LOADTOOL) (apt-get install $(LOADTOOL))"; exit 2; }
	$(GO) build -o bin/refserver ./internal/cmd/refserver
	$(GO) build -o bin/loadtest ./internal/cmd/loadtest
	bin/loadtest -refserver bin/refserver -tool $(LOADTOOL) -concurrency $(CONCURRENCY) -duration $(DURATION)

## compare: benchstat OLD NEW (files written by make bench; use COUNT=10 for both)
compare:
	@test -f "$(OLD)" || { echo "compare: OLD=$(OLD) is not a file: make bench OUT=old.txt first"; exit 2; }
	@test -f "$(NEW)" || { echo "compare: NEW=$(NEW) is not a file: make bench OUT=new.txt first"; exit 2; }
	$(GO) tool benchstat $(OLD) $(NEW)

## compare-runs: paired comparison of two runs' journals (OLD and NEW: a path, a glob or a comma list each; MD=file also writes the PR comment); exits 1 on a significant regression beyond baselines/compare.json
MD ?=
compare-runs:
	@test -n "$(OLD)" -a -n "$(NEW)" || { echo "compare-runs: set OLD=<journal(s)> NEW=<journal(s)>, e.g. OLD='base/journal-*.jsonl' NEW=results/journal-*.jsonl"; exit 2; }
	$(GO) run ./internal/cmd/compare -old '$(OLD)' -new '$(NEW)' $(if $(MD),-md '$(MD)')

## drift: replay the cassettes, run the same cases live against ENDPOINT, and report what changed (answers, schema validity, success, latency) to $(DRIFTDIR)/drift.md; SUITE=name for one suite
DRIFTDIR ?= results/drift
drift: loopback
	@test -n "$(ENDPOINT)" || { echo "drift: set ENDPOINT=https://<workspace>--generate.modal.run (or LIFTTEST_ENDPOINT)"; exit 2; }
	rm -rf $(DRIFTDIR) && mkdir -p $(DRIFTDIR)/replay $(DRIFTDIR)/live
	$(GO) test -count=1 -run '^TestSuites$$' -results $(DRIFTDIR)/replay $(if $(SUITE),-suite '$(SUITE)') . >$(DRIFTDIR)/replay.log 2>&1 || true
	$(GO) test -count=1 -timeout 0 -run '^TestSuites$$' -live -endpoint '$(ENDPOINT)' -results $(DRIFTDIR)/live $(if $(SUITE),-suite '$(SUITE)') $(PROVFLAGS) . >$(DRIFTDIR)/live.log 2>&1 || true
	@ls $(DRIFTDIR)/replay/journal-*.jsonl $(DRIFTDIR)/live/journal-*.jsonl >/dev/null || { echo "drift: a run wrote no journal: see $(DRIFTDIR)/*.log"; exit 2; }
	$(GO) run ./internal/cmd/compare -drift -old '$(DRIFTDIR)/replay/journal-*.jsonl' -new '$(DRIFTDIR)/live/journal-*.jsonl' -md $(DRIFTDIR)/drift.md

## lint: gofmt, go vet and actionlint on the pull-request workflow
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

## validate-humaneval: validate every canonical solution of a HumanEval-format file (FILE=path)
validate-humaneval:
	@test -n "$(FILE)" || { echo "validate-humaneval: set FILE=path/to/HumanEval.jsonl.gz"; exit 2; }
	$(GO) run ./internal/cmd/validate-humaneval -file '$(FILE)'

## perf: the performance table (README, "Performance"), each row with its anchor measured in the same run (FILE=path/to/HumanEval.jsonl.gz for the HumanEval row; DURATION for loadtest; about 2 minutes)
perf: loopback
	GO='$(GO)' FILE='$(FILE)' LOADTOOL='$(LOADTOOL)' DURATION='$(DURATION)' BENCHTIME='$(BENCHTIME)' internal/cmd/perf/perf.sh

clean:
	rm -rf bin results
