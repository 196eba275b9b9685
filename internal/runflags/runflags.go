// Package runflags registers lifttest's command-line flags once, for every
// test binary that imports it, so `go test ./... -live` never fails with
// "flag provided but not defined" in a package that does not use them.
//
// Each flag has an environment fallback, read when the flag is not given.
package runflags

import (
	"flag"
	"os"
	"strings"
)

// Values holds what the command line and environment asked for.
type Values struct {
	Record   bool   // -record, or LIFTTEST_MODE=record
	Live     bool   // -live, or LIFTTEST_MODE=live
	Endpoint string // -endpoint, LIFTTEST_ENDPOINT, then MODAL_ENDPOINT_URL
	GPU      string // -gpu, LIFTTEST_GPU
}

var (
	record   = flag.Bool("record", false, "lifttest: call the endpoint and (re)write the cassettes (env LIFTTEST_MODE=record)")
	live     = flag.Bool("live", false, "lifttest: call the endpoint, write no cassette (env LIFTTEST_MODE=live)")
	endpoint = flag.String("endpoint", "", "lifttest: generate URL of the endpoint (env LIFTTEST_ENDPOINT or MODAL_ENDPOINT_URL)")
	gpu      = flag.String("gpu", "", "lifttest: GPU price: A10G, A100-80GB, H100, original (0.60 USD/h) or USD per hour (env LIFTTEST_GPU; default original)")
)

// Get returns the flags as parsed, with environment fallbacks. Call it after
// flag.Parse (in a test, from TestMain after m.Run starts or from a test).
func Get() Values {
	v := Values{Record: *record, Live: *live, Endpoint: *endpoint, GPU: *gpu}
	if !v.Record && !v.Live {
		switch strings.ToLower(os.Getenv("LIFTTEST_MODE")) {
		case "record":
			v.Record = true
		case "live":
			v.Live = true
		}
	}
	if v.Endpoint == "" {
		v.Endpoint = os.Getenv("LIFTTEST_ENDPOINT")
	}
	if v.Endpoint == "" {
		v.Endpoint = os.Getenv("MODAL_ENDPOINT_URL")
	}
	if v.GPU == "" {
		v.GPU = os.Getenv("LIFTTEST_GPU")
	}
	return v
}
