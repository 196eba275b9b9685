// Command report rebuilds a run's reports from its journal, for example
// after the run was interrupted, or to render a journal from CI:
//
//	report -journal run.jsonl[,shard.jsonl...] [-md report.md] [-html report.html] [-json results.json] [-expected rates.json] [-gate [-baselines dir]]
//
// With no output flag it writes the Markdown report to stdout. The
// journals of one run's shards (-shard k/n) merge: -journal takes a glob
// ('results/journal-*.jsonl') or a comma-separated list, a case run twice
// is refused and a missing shard is warned of. Cases are listed by suite,
// case and sample, so that a run and the merge of its shards give the same
// report, and each suite is summarised by results.Summarize. -gate checks
// each suite against its baseline and exits non-zero on a crossed fail
// threshold: the fan-in of a sharded CI run gets one verdict. -json writes the original
// lift-sys results file, which holds one suite: with several suites, the
// suite's name is added before the extension (results-simple.json, ...).
// -expected names a JSON object of expected success rates in [0, 1] by
// category, e.g. {"arithmetic": 0.95}, shown beside the measured rates.
//
// A journal whose last line was cut off by a kill is read up to that line,
// with a warning on stderr. Every file is written atomically.
package main
