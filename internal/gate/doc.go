// Package gate is lifttest's regression gate: it compares a suite's
// results.Summary with the suite's committed baseline and says, metric by
// metric, whether the run is within its thresholds, warns, or fails.
//
// # Baselines
//
// Each suite has one baseline file, baselines/<suite>.json at the root of
// the repository ("nontrivial/phase1" in a subdirectory), small enough to
// read and review in a diff:
//
//	{
//	  "suite": "simple",
//	  "recorded": "2025-10-22",
//	  "runs": 5,
//	  "success_rate": 1,
//	  "e2e_median_ms": 13290,
//	  "cost_per_request_usd": 0.002299,
//	  ...
//	}
//
// LoadBaseline reads one and WriteBaseline writes one atomically;
// FromSummary turns a run into a baseline (`make baseline SUITE=...`).
// baselines/simple.json is the original harness's 2025-10-22 table for
// the 32B model (LIFTSYS.md §7), written by hand from its figures. Costs
// are only comparable at the same GPU price: the baseline records its
// price_usd_per_hour, and lifttest's default price (-gpu original,
// 0.60 USD/h) is the one the seed was computed at.
//
// # Thresholds
//
// DefaultThresholds are §7's: success rate warn below 95 %, fail below
// 90 %; E2E median and mean warn above +30 %, fail above +50 % of the
// baseline's; cost per request warn above 0.003 USD, fail above
// 0.0035 USD. An optional baselines/thresholds.json overrides any of
// them, in general or for one suite (see Thresholds); LoadThresholds
// returns the defaults when there is none. Crossing is strict: a value
// exactly at a threshold passes it.
//
// # Reports
//
// Evaluate returns a Report: one Row per gated metric, with the
// baseline, the current value, the relative change, both thresholds in
// words and a Status. Success is worse when lower, latency and cost when
// higher. Metrics a run cannot measure are left out with a note (no
// successful run: no latency). WriteText prints a fixed-width table that
// ends in one verdict line, "gate: PASS", "gate: WARN (...)" or
// "gate: FAIL (...)"; Markdown is the same for a report section or a
// pull-request comment.
//
// The golden files of the text and Markdown reports are
// testdata/<TestName>/<case>.txt and .md; regenerate them after an
// intended change with
//
//	LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/gate -run '^(TestWriteText|TestMarkdown)$'
package gate
