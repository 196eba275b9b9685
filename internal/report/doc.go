// Package report writes what a lifttest run leaves behind: a journal that
// survives the run being killed, a results file that lift-sys's own tooling
// reads, and reports for people, in Markdown and as one self-contained HTML
// page with plots.
//
// Everything is built from record.Meta and *record.Result values, and from
// the results.Summary that results.Summarize computes from them: this
// package formats numbers, it computes no statistics of its own.
//
// # Journal
//
// A run appends each case to a Journal as it finishes, one JSON line each,
// written with one write and fsynced, after a header line holding the
// record.Meta:
//
//	{"format":"lifttest-journal/v1","run":{...}}
//	{"suite":"simple","case":"add_numbers",...}
//
// If the run is interrupted (Ctrl-C, go test -timeout, kill -9) at most the
// case in flight is lost. ReadJournal skips a partial last line and says so
// with a *TruncatedError (errors.Is(err, ErrTruncated)) returned together
// with the cases; damage anywhere else is a *SyntaxError "file:line: msg".
// The command internal/cmd/report rebuilds every report from a journal.
//
// # Results file
//
// WriteResultsJSON writes the original harness's layout: "summary" and
// "results" with its keys and units (milliseconds, MiB, USD), plus a
// "lifttest" key with the run, the full results.Summary and the cases,
// from which ReadResultsJSON restores them exactly. ReadResultsJSON also
// reads files written by the original harness. Timestamps are ISO 8601 with
// microseconds and a numeric zone offset ("2025-10-22T19:28:28.249186+00:00"):
// the original wrote local time without a zone.
//
// # Reports
//
// WriteMarkdown and WriteHTML show the same tables for each suite: success
// (with the Wilson interval, compile and execution rates, schema validity),
// latency (stage 1, stage 2, E2E: mean, median, std, p95, range, bootstrap
// interval of the E2E mean), one row per case, cost, memory, success by
// category and complexity beside the expected rates, and pass@k when the
// suite ran several samples; then the regression gate's table, when the
// run was gated. The HTML page adds inline SVG plots (stage
// latency per case, E2E distribution, pass matrix, cost per case); it has no
// scripts and loads nothing, so it opens offline and can be attached to a CI
// run as is. Both state their units and whether latencies were measured on
// this run or replayed from recordings.
//
// Write reports through WriteFileAtomic, so that a reader (or a crash)
// never sees half a file.
//
// The Markdown golden file is testdata/TestWriteMarkdown.md; regenerate it
// after an intended change with
//
//	LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/report -run '^TestWriteMarkdown$'
//
// and the README's screenshot of the HTML report (needs Chromium) with
//
//	LIFTTEST_REPORT_SCREENSHOT=docs/report.png go test ./internal/report -run '^TestWriteHTMLRendersInChromium$'
package report
