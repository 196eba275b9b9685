package lifttest

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/schema"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// A Session is what one `go test` process collects: every record of its
// tests or of its benchmarks goes to one journal, and at the end to the
// suite summaries, the results files, the reports and the regression gate,
// so `go test` and `go test -bench` reach the same outputs. TestMain
// creates it and hands it the process with Main (see the example); Test
// and Bench run the cases.
type Session struct {
	runner   *Runner
	opts     Options
	suites   []Suite
	started  time.Time
	progress progress

	mu       sync.Mutex
	benching bool // benchmarks run in this process: they, not tests, make the records
	records  []*record.Result
	replayed map[string]bool // suite/case keys a replayed benchmark recorded
	inputs   sync.Once       // cacheInputs
	// preloaded is closed once a replay's cassettes are parsed.
	preloaded chan struct{}
	journal   *report.Journal
	jerr      error // the journal could not be written: every later add and Finish say so
}

// NewSession selects the suites' cases that opts asks for (Suite, Shard,
// HumanEval) and starts a Runner for them.
func NewSession(opts Options, suites ...Suite) (*Session, error) {
	o, _, sh, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	all := slices.Clone(suites)
	if o.HumanEval != "" {
		he, err := HumanEvalSuite("humaneval", o.HumanEval)
		if err != nil {
			return nil, err
		}
		all = append(all, he)
	}
	sel, err := selectCases(all, o.Suite, sh)
	if err != nil {
		return nil, err
	}
	s := &Session{opts: o, suites: sel, started: time.Now(), preloaded: make(chan struct{})}
	if o.Mode == ModeReplay {
		// The cassettes parse, and the schemas compile, while NewRunner
		// waits for the sandbox's interpreters to start.
		go func() {
			defer close(s.preloaded)
			schema.IR()
			schema.Code()
			var paths []string
			for _, su := range sel {
				for _, c := range su.Cases {
					for k := range o.Samples {
						paths = append(paths, cassettePath(o.CassetteDir, su.Name, c.Name, k))
					}
				}
			}
			cassette.Preload(paths)
		}()
	} else {
		close(s.preloaded)
		s.progress.w = o.Progress
	}
	if s.runner, err = NewRunner(opts); err != nil {
		return nil, err
	}
	return s, nil
}

// Suites are the selected suites, each with the cases of this shard.
func (s *Session) Suites() []Suite { return slices.Clone(s.suites) }

// Runner is the session's runner.
func (s *Session) Runner() *Runner { return s.runner }

// Close stops the runner's validator.
func (s *Session) Close() error { return s.runner.Close() }

// Main runs a test binary's tests and benchmarks within the session: it
// checks the endpoint (Runner.Prepare), writes the benchmark configuration
// lines when benchmarks run, calls m.Run, writes the suite summaries as
// benchmark lines, then Finish. It closes the session and returns the exit
// code for os.Exit: 2 when the endpoint is not ready, 1 when a test failed
// or the gate did.
func (s *Session) Main(m *testing.M) int {
	defer s.Close()
	if _, err := s.runner.Prepare(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s.benching = flagValue("test.bench") != ""
	runs := 0
	for _, su := range s.suites {
		runs += len(su.Cases)
	}
	if s.benching {
		count, _ := strconv.Atoi(flagValue("test.count"))
		s.progress.total = runs * max(count, 1)
		s.writeBenchConfig(os.Stdout)
	} else {
		s.progress.total = runs * s.opts.Samples
	}
	if s.opts.Concurrency > 1 {
		flag.Set("test.parallel", strconv.Itoa(s.opts.Concurrency))
	}
	code := m.Run()
	if s.benching {
		s.writeBenchSummary(os.Stdout)
	}
	if err := s.Finish(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = cmp.Or(code, 1)
	}
	return code
}

func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// add keeps a finished run for Finish and, with a results directory,
// appends it to the journal at once (fsynced), so an interrupted run loses
// at most the runs in flight.
func (s *Session) add(r *record.Result) error {
	s.progress.add(r.Success)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, r)
	if s.opts.Results == "" || s.jerr != nil {
		return s.jerr
	}
	if s.journal == nil {
		if err := os.MkdirAll(s.opts.Results, 0o755); err != nil {
			s.jerr = fmt.Errorf("lifttest: results directory: %w", err)
			return s.jerr
		}
		path := filepath.Join(s.opts.Results, "journal-"+s.stamp()+".jsonl")
		j, err := report.CreateJournal(path, s.meta())
		if err != nil {
			s.jerr = err
			return err
		}
		s.journal = j
	}
	if err := s.journal.Append(r); err != nil {
		s.jerr = err
	}
	return s.jerr
}

// once reports whether key is new to the session, marking it seen.
func (s *Session) once(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replayed[key] {
		return false
	}
	if s.replayed == nil {
		s.replayed = map[string]bool{}
	}
	s.replayed[key] = true
	return true
}

// stamp names the run's files; a shard's name carries its index so that
// the shards of one run can share a directory.
func (s *Session) stamp() string {
	st := s.started.Format("20060102-150405")
	if sh := s.runner.shard; sh.N > 1 {
		st += fmt.Sprintf("-shard%dof%d", sh.K, sh.N)
	}
	return st
}

// meta describes the run for journals and reports.
func (s *Session) meta() record.Meta {
	p := s.runner.price
	return record.Meta{
		Started: s.started, Mode: s.opts.Mode.String(), Endpoint: s.runner.info.Host, Model: s.runner.info.Model, GPU: s.runner.info.GPU,
		Price: p.String(), PerHour: p.PerHour, Shard: s.runner.shard.String(), Isolation: s.runner.isolation(),
		GoVersion: runtime.Version(),
	}
}

// Finish ends the session's run of its suites: it prints a summary per
// suite, writes the results files and reports into Options.Results, checks
// each suite against its baseline (Options.Gate) or writes the baselines
// (Options.WriteBaseline). It returns an error wrapping ErrGate when a
// suite crossed a fail threshold. Main calls it; a caller without Main
// calls it once after the last run.
func (s *Session) Finish(w io.Writer) error {
	s.mu.Lock()
	recs := slices.Clone(s.records)
	j, jerr := s.journal, s.jerr
	s.journal = nil
	s.mu.Unlock()
	if j != nil {
		if err := j.Close(); err != nil {
			return err
		}
	}
	if jerr != nil {
		return jerr
	}
	var reps []report.SuiteReport
	var failed []string
	if iso := s.runner.isolation(); iso != "" && len(recs) > 0 {
		fmt.Fprintf(w, "sandbox isolation: %s\n", iso)
	}
	for _, su := range s.suites {
		mine := suiteRecords(recs, su)
		if len(mine) == 0 {
			continue
		}
		key := su.key()
		sum := results.Summarize(key, mine, su.ExpectedRates)
		writeSummary(w, sum)
		rep := report.SuiteReport{Summary: sum, Cases: mine}
		if s.opts.Gate {
			g, err := evaluateGate(s.opts.Baselines, key, sum)
			if err != nil {
				return err
			}
			fmt.Fprintln(w)
			if err := g.WriteText(w); err != nil {
				return err
			}
			rep.Gate = &g
			if g.Failed() {
				failed = append(failed, key)
			}
		}
		if s.opts.WriteBaseline {
			b := gate.FromSummary(sum, fmt.Sprintf("lifttest %s run of %s", s.opts.Mode, s.started.Format(time.DateOnly)))
			b.PriceUSDPerHour = s.runner.price.PerHour
			if err := gate.WriteBaseline(s.opts.Baselines, b); err != nil {
				return err
			}
			fmt.Fprintf(w, "baseline written: %s\n", gate.Path(s.opts.Baselines, key))
		}
		reps = append(reps, rep)
	}
	if s.opts.Results != "" && len(reps) > 0 {
		if err := report.WriteAll(w, s.opts.Results, s.stamp(), s.meta(), reps); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s crossed a fail threshold (see the table above)", ErrGate, strings.Join(failed, ", "))
	}
	return nil
}

// suiteRecords are su's records in the suite's order, whatever order
// Concurrency finished them in.
func suiteRecords(recs []*record.Result, su Suite) []*record.Result {
	order := make(map[string]int, len(su.Cases))
	for i, c := range su.Cases {
		order[c.Name] = i
	}
	mine := slices.DeleteFunc(slices.Clone(recs), func(r *record.Result) bool {
		_, ok := order[r.Case]
		return r.Suite != su.Name || !ok
	})
	slices.SortStableFunc(mine, func(a, b *record.Result) int {
		return cmp.Or(cmp.Compare(order[a.Case], order[b.Case]), cmp.Compare(a.Sample, b.Sample))
	})
	return mine
}

func evaluateGate(dir, key string, sum results.Summary) (gate.Report, error) {
	th, err := gate.LoadThresholds(dir)
	if err != nil {
		return gate.Report{}, err
	}
	b, err := gate.LoadBaseline(dir, key)
	if err != nil {
		return gate.Report{}, err
	}
	return gate.Evaluate(b, sum, th), nil
}
