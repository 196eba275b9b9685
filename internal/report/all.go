package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// WriteAll writes a run's files into dir: one results file per suite in
// lift-sys's shape (<suite>-<stamp>.json), and the Markdown and HTML
// reports (report-<stamp>.md, .html), each atomically. It names what it
// wrote on w.
func WriteAll(w io.Writer, dir, stamp string, run record.Meta, reps []SuiteReport) error {
	for _, r := range reps {
		name := strings.ReplaceAll(r.Summary.Suite, "/", "-")
		path := filepath.Join(dir, name+"-"+stamp+".json")
		if err := WriteFileAtomic(path, func(out io.Writer) error {
			return WriteResultsJSON(out, run, r.Summary.Suite, r.Cases)
		}); err != nil {
			return err
		}
		fmt.Fprintf(w, "results: %s\n", path)
	}
	md := filepath.Join(dir, "report-"+stamp+".md")
	if err := WriteFileAtomic(md, func(out io.Writer) error { return WriteMarkdown(out, run, reps) }); err != nil {
		return err
	}
	html := filepath.Join(dir, "report-"+stamp+".html")
	if err := WriteFileAtomic(html, func(out io.Writer) error { return WriteHTML(out, run, reps) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "reports: %s, %s\n", md, html)
	return nil
}
