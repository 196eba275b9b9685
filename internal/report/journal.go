package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// journalFormat names the journal format in its header line, so that
// ReadJournal refuses some other JSON Lines file instead of misreading it.
const journalFormat = "lifttest-journal/v2" // v2: record.Result, durations in ns

// journalHeader is a journal's first line.
type journalHeader struct {
	Format string      `json:"format"`
	Run    record.Meta `json:"run"`
}

// A Journal is an append-only JSON Lines file of a run: a header line with
// the record.Meta, then one *record.Result per line, each written with a
// single write and fsynced before Append returns. A run stopped in any way
// (Ctrl-C, go test -timeout, kill -9, a power cut) therefore loses at most
// the case in flight, and ReadJournal, or `report -journal`, rebuilds every
// report from what was written.
//
// A Journal is safe for concurrent use.
type Journal struct {
	path string

	mu  sync.Mutex
	f   *os.File // nil once closed
	err error    // first write error: later appends would leave a gap
}

// CreateJournal creates a journal at path and writes its header. It fails if
// path exists (the error wraps fs.ErrExist): a journal is the only copy of
// an interrupted run's results, so it is never silently overwritten.
func CreateJournal(path string, run record.Meta) (*Journal, error) {
	head, err := json.Marshal(journalHeader{Format: journalFormat, Run: run})
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if _, err := f.Write(append(head, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// The new directory entry must survive a crash too. Best effort: not
	// every platform can fsync a directory.
	_ = syncDir(filepath.Dir(path))
	return &Journal{path: path, f: f}, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Append writes c as one line and fsyncs the file. After a failed write
// every later Append returns that first error, since a journal with a hole
// in it would misreport the run.
func (j *Journal) Append(c *record.Result) error {
	line, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("journal %s: case %s/%s: %w", j.path, c.Suite, c.Case, err)
	}
	line = append(line, '\n')

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if j.f == nil {
		return fmt.Errorf("journal %s: append: %w", j.path, os.ErrClosed)
	}
	// One Write per line: with O_APPEND it lands whole or, if the process
	// dies inside it, as a truncated last line that ReadJournal skips.
	if _, err := j.f.Write(line); err != nil {
		j.err = fmt.Errorf("journal %s: %w", j.path, err)
		return j.err
	}
	if err := j.f.Sync(); err != nil {
		j.err = fmt.Errorf("journal %s: %w", j.path, err)
		return j.err
	}
	return nil
}

// Close closes the file. It is safe to call more than once; later calls
// return nil.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// ErrTruncated is matched (errors.Is) by a *TruncatedError.
var ErrTruncated = errors.New("truncated last line skipped")

// TruncatedError reports that ReadJournal skipped a journal's last line,
// which did not parse: the writer died in the middle of it. It is a
// warning: ReadJournal returns it together with the run and every complete
// case.
type TruncatedError struct {
	File    string
	Line    int // 1-based number of the skipped line
	Skipped int // lines skipped (always 1 today)
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("%s:%d: %d %s (the run was probably killed while writing it)", e.File, e.Line, e.Skipped, ErrTruncated)
}

// Is makes errors.Is(err, ErrTruncated) true.
func (e *TruncatedError) Is(target error) bool { return target == ErrTruncated }

// SyntaxError is a journal line that cannot be read, before the last line:
// damage that skipping cannot repair.
type SyntaxError struct {
	File string
	Line int // 1-based
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *SyntaxError) Unwrap() error { return e.Err }

// ReadJournal reads a journal written by a Journal.
//
// A last line that does not parse is skipped, and ReadJournal returns the
// run and the cases before it together with a *TruncatedError; callers that
// can live with losing the case in flight check errors.Is(err, ErrTruncated)
// and go on. Any other unreadable line yields a *SyntaxError naming the file
// and line, and no cases.
func ReadJournal(path string) (record.Meta, []*record.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return record.Meta{}, nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	return readJournal(path, f)
}

func readJournal(name string, r io.Reader) (record.Meta, []*record.Result, error) {
	br := bufio.NewReader(r)
	var (
		run    record.Meta
		cases  []*record.Result
		lineNo int
		bad    *SyntaxError // the latest unparsable line, fatal unless it is the last
	)
	for {
		// ReadBytes, not a Scanner: a case carries the IR and the source
		// and has no useful size limit.
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			if bad != nil {
				return record.Meta{}, nil, bad
			}
			if err := parseJournalLine(bytes.TrimSpace(line), lineNo, &run, &cases); err != nil {
				bad = &SyntaxError{File: name, Line: lineNo, Err: err}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return record.Meta{}, nil, fmt.Errorf("journal %s: %w", name, rerr)
		}
	}
	switch {
	case lineNo == 0:
		return record.Meta{}, nil, &SyntaxError{File: name, Line: 1, Err: errors.New("empty file, not a lifttest journal")}
	case bad != nil && bad.Line == 1:
		// Without a header there is no run to report.
		return record.Meta{}, nil, bad
	case bad != nil:
		return run, cases, &TruncatedError{File: name, Line: bad.Line, Skipped: 1}
	}
	return run, cases, nil
}

func parseJournalLine(line []byte, lineNo int, run *record.Meta, cases *[]*record.Result) error {
	if lineNo == 1 {
		var h journalHeader
		if err := json.Unmarshal(line, &h); err != nil {
			return fmt.Errorf("header: %w", err)
		}
		if h.Format != journalFormat {
			return fmt.Errorf("header: format %q, want %q: not a lifttest journal", h.Format, journalFormat)
		}
		*run = h.Run
		return nil
	}
	if len(line) == 0 {
		return errors.New("empty line")
	}
	var c *record.Result
	if err := json.Unmarshal(line, &c); err != nil {
		return err
	}
	if c.Case == "" {
		return errors.New(`not a case record: no "case" name`)
	}
	*cases = append(*cases, c)
	return nil
}

// Merged is the description of the runs a set of journals holds.
type Merged struct {
	record.Meta
	// Warnings say what a reader should know: a truncated last line, a
	// shard missing from the set.
	Warnings []string
}

// MergeJournals reads the journals of one run's shards (or of one run) and
// returns their records in a canonical order, by suite, case and sample, so
// that a run and the merge of its shards give the same report. It refuses
// journals of different modes or models, and a case run in two of them.
// The merged Meta is the first journal's, started at the earliest start,
// with the shard cleared when every shard of the run is present.
func MergeJournals(paths []string) (Merged, []*record.Result, error) {
	var m Merged
	var all []*record.Result
	seen := map[string]string{} // suite/case/sample -> journal
	shards := map[int]bool{}
	total := 0
	for i, p := range paths {
		meta, recs, err := ReadJournal(p)
		if errors.Is(err, ErrTruncated) {
			m.Warnings = append(m.Warnings, err.Error())
		} else if err != nil {
			return m, nil, err
		}
		if i == 0 {
			m.Meta = meta
		} else {
			if meta.Mode != m.Mode || meta.Model != m.Model {
				return m, nil, fmt.Errorf("journal %s: %s run of model %q, but %s is a %s run of %q: merge the journals of one run", p, meta.Mode, meta.Model, paths[0], m.Mode, m.Model)
			}
			if meta.Started.Before(m.Started) {
				m.Started = meta.Started
			}
		}
		if meta.Shard != "" {
			var k, n int
			if _, err := fmt.Sscanf(meta.Shard, "%d/%d", &k, &n); err == nil {
				shards[k], total = true, n
			}
		}
		for _, r := range recs {
			key := fmt.Sprintf("%s/%s/%d", r.Suite, r.Case, r.Sample)
			if prev, dup := seen[key]; dup {
				return m, nil, fmt.Errorf("journal %s: %s was run in %s too: merge the journals of one run's shards, each once", p, key, prev)
			}
			seen[key] = p
			all = append(all, r)
		}
	}
	if total > 0 {
		m.Shard = ""
		for k := 1; k <= total; k++ {
			if !shards[k] {
				m.Shard = "partial"
				m.Warnings = append(m.Warnings, fmt.Sprintf("shard %d/%d is missing: the report covers only the shards given", k, total))
			}
		}
	}
	slices.SortStableFunc(all, func(a, b *record.Result) int {
		return cmp.Or(cmp.Compare(a.Suite, b.Suite), cmp.Compare(a.Case, b.Case), cmp.Compare(a.Sample, b.Sample))
	})
	return m, all, nil
}

// JournalPaths expands journal specs, each a path, a glob or a
// comma-separated list of them, into files, for the commands that read a
// run's journals. A glob that matches nothing stays as written, so that
// reading it says what is wrong. flagName names the flag in the error when
// no journal is named at all.
func JournalPaths(flagName string, specs ...string) ([]string, error) {
	var paths []string
	for _, spec := range specs {
		for p := range strings.SplitSeq(spec, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", flagName, p, err)
			}
			if len(matches) == 0 {
				matches = []string{p}
			}
			paths = append(paths, matches...)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s is required: a journal file, a glob such as 'results/journal-*.jsonl', or a comma-separated list", flagName)
	}
	return paths, nil
}
