#!/usr/bin/env bash
# make perf: the performance table, every row and its anchor measured in this
# one run, one after the other (so on a shared machine they see about the
# same load; the load average is printed with the table). FILE is a
# HumanEval-format file (.jsonl or .jsonl.gz); without it the HumanEval row is
# skipped. GO, LOADTOOL, DURATION as in the Makefile.
set -euo pipefail
GO=${GO:-go}
FILE=${FILE:-}
LOADTOOL=${LOADTOOL:-wrk}
DURATION=${DURATION:-10s}
BENCHTIME=${BENCHTIME:-20x}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p bin
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s |' "$1" "$2" "$3" "$4")"); }
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. HumanEval: the sandbox (2 workers) vs every check in one process.
if [[ -n "$FILE" ]]; then
	$GO build -o bin/validate-humaneval ./internal/cmd/validate-humaneval
	he=$(bin/validate-humaneval -file "$FILE" -workers 2 | tail -1 | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	fl=$(python3 internal/cmd/validate-humaneval/testdata/floor.py "$FILE" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
	row "HumanEval canonical solutions through the sandbox, 2 workers" "${he} s" "single process, no isolation: ${fl} s" "bin/validate-humaneval -file FILE -workers 2; python3 internal/cmd/validate-humaneval/testdata/floor.py FILE"
else
	row "HumanEval canonical solutions through the sandbox, 2 workers" "skipped (FILE=)" "" "make perf FILE=path/to/HumanEval.jsonl.gz"
fi

# 2. Trivial job, median of 300, 3 runs; anchor: a bare fork+exit+wait of
# the same interpreter with a worker's modules loaded (median of 1000, 3 runs),
# what one fresh process per job costs here at the least.
$GO test -run '^$' -bench '^BenchmarkTrivialJob$' -benchtime 300x -count 3 ./internal/sandbox/ >"$tmp/triv"
triv=$(awk '/ms\/job/{for(i=1;i<=NF;i++) if($(i)=="ms/job") v=v (v?", ":"") $(i-1)} END{print v}' "$tmp/triv")
$GO test -run '^$' -bench '^BenchmarkForkFloor$' -benchtime 1000x -count 3 ./internal/sandbox/ >"$tmp/fork"
fork=$(awk '/ms\/fork/{for(i=1;i<=NF;i++) if($(i)=="ms/fork") v=v (v?", ":"") $(i-1)} END{print v}' "$tmp/fork")
row "trivial job, median (3 runs of 300)" "${triv} ms" "bare fork+exit+wait of the interpreter: ${fork} ms" "go test -run '^\$' -bench '^Benchmark(TrivialJob|ForkFloor)\$' ./internal/sandbox/ (-benchtime 300x, 1000x; -count 3)"

# 3. Every bundled suite replayed as tests, the test binary built first.
$GO test -c -o bin/lifttest.test .
t0=$(now); bin/lifttest.test -test.run '^TestSuites$' -test.count=1 -test.v >"$tmp/suites" 2>&1; t1=$(now)
cases=$(grep -cE -- '--- PASS: TestSuites/suite=[^/]*/case=[^/ ]* ' "$tmp/suites" || true)
# Anchors: the same binary running no test (start-up: the sandbox's workers,
# the python3 resolution, exit), and that resolution alone (a pyenv shim here).
t2=$(now); bin/lifttest.test -test.run '^$' >/dev/null 2>&1; t3=$(now)
t4=$(now); python3 -c 'import sys; print(sys.executable)' >/dev/null; t5=$(now)
row "every bundled suite replayed as tests ($cases cases)" "$(secs "$t0" "$t1") s" "the binary running no test: $(secs "$t2" "$t3") s, of which resolving python3 on PATH: $(secs "$t4" "$t5") s" "go test -c -o bin/lifttest.test . && time bin/lifttest.test -test.run '^TestSuites\$'"

# 4. Harness heap per case (BenchmarkSuite -benchmem, mean over cases).
$GO test -run '^$' -bench '^BenchmarkSuite$' -benchtime 5x -benchmem . >"$tmp/mem"
mem=$(awk '/^BenchmarkSuite\//{for(i=1;i<=NF;i++){if($(i)=="B/op"){b+=$(i-1);n++} if($(i)=="allocs/op")a+=$(i-1); if($(i)=="ns/op"&&$(i-1)!~/e/)ns+=$(i-1); if($(i)=="validate-ns/op")vs+=$(i-1)}} END{if(n) printf "%.1f kB/op, %.1fk allocs/op; ns/op %.1f ms of which validate %.1f ms (%d cases)", b/n/1000, a/n/1000, ns/n/1e6, vs/n/1e6, n}' "$tmp/mem")
row "harness heap per case in replay (mean)" "$mem" "" "go test -run '^\$' -bench '^BenchmarkSuite\$' -benchtime 5x -benchmem ."

# 5. make bench, wall time (module cache and build cache warm).
t0=$(now); make -s bench BENCHTIME="$BENCHTIME" OUT="$tmp/bench.txt" >/dev/null; t1=$(now)
row "make bench (BENCHTIME=$BENCHTIME), wall" "$(secs "$t0" "$t1") s" "" "time make bench"

# 6. make loadtest: lifttest vs the load tool at c=64.
make -s loadtest LOADTOOL="$LOADTOOL" DURATION="$DURATION" >"$tmp/load" 2>&1
lt=$(grep -E '^loadtest: ' "$tmp/load" | tail -1 | sed 's/^loadtest: //')
cpu=$(grep -E '^lifttest: CPU per request' "$tmp/load" | sed 's/.*client \([0-9.]* µs\).*/\1/')
wcpu=$(grep -E "^$LOADTOOL: CPU per request" "$tmp/load" | sed 's/.*client \([0-9.]* µs\).*/\1/')
floor=$(grep -E '^net/http floor: [0-9.]+ µs/request' "$tmp/load" | sed 's/^net\/http floor: \([0-9.]* µs\/request, ratio [0-9.]*\).*/\1/')
row "make loadtest, c=64, zero-delay endpoint" "$lt; client CPU/request $cpu" "$LOADTOOL client CPU/request $wcpu; net/http floor (bare net/http client loop): $floor" "make loadtest DURATION=$DURATION"

echo
echo "make perf on $(nproc) cores, load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| figure | measured | anchor in the same run | command |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
