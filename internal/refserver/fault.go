package refserver

import (
	"fmt"
	"time"
)

// FaultKind says how a [Fault] spoils an answer.
type FaultKind int

// Fault kinds. Status and NonJSON stand in for the platform (Modal's proxy)
// and answer at once; JSONError, Length and GenerationError stand in for the
// model and keep the scripted delay; Truncated and Huge spoil the body the
// request would otherwise get; Slow only adds Fault.Delay.
const (
	// FaultStatus answers Fault.Status (default 500) with Fault.Body
	// (default the status text) as text/plain, e.g. Modal's 408.
	FaultStatus FaultKind = iota + 1
	// FaultJSONError answers finish_reason json_error; Fault.Body is the
	// raw output (default half of the scripted body).
	FaultJSONError
	// FaultLength answers finish_reason length, as when vLLM hits
	// max_tokens: truncated raw output, ir_json null.
	FaultLength
	// FaultGenerationError answers finish_reason error; Fault.Body is the
	// detail after "Generation failed: ".
	FaultGenerationError
	// FaultTruncated declares the Content-Length of the full body, writes
	// its first half and drops the connection, so the client reads an
	// unexpected EOF. (For a complete response whose JSON is cut in half,
	// use FaultNonJSON with half a JSON document as Body.)
	FaultTruncated
	// FaultNonJSON answers Fault.Status (default 200) with Fault.Body
	// (default an HTML error page) as text/html.
	FaultNonJSON
	// FaultSlow waits Fault.Delay, then answers normally.
	FaultSlow
	// FaultHuge pads the normal JSON answer with an extra "padding" field
	// to Fault.Size bytes (default 32 MiB), to test a client's body cap.
	FaultHuge
)

var faultNames = [...]string{
	FaultStatus:          "Status",
	FaultJSONError:       "JSONError",
	FaultLength:          "Length",
	FaultGenerationError: "GenerationError",
	FaultTruncated:       "Truncated",
	FaultNonJSON:         "NonJSON",
	FaultSlow:            "Slow",
	FaultHuge:            "Huge",
}

func (k FaultKind) String() string {
	if k > 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// ModalExpiredBody is the body of the HTTP 408 Modal's proxy answered to
// parallel runs after 27-43 s.
const ModalExpiredBody = "Missing request, possibly due to expiry or cancellation"

// defaultHugeSize is larger than any sane cap on a generate answer (real
// answers are a few KiB) yet quick to send over loopback.
const defaultHugeSize = 32 << 20

// Fault spoils one request. Fields other than Kind are optional.
type Fault struct {
	Kind FaultKind
	// Path is the route the fault waits for: "/generate" (default),
	// "/health" or "/warmup".
	Path string
	// Status is the HTTP status of FaultStatus and FaultNonJSON.
	Status int
	// Body is the body of FaultStatus and FaultNonJSON, the raw output of
	// FaultJSONError and FaultLength, the error detail of FaultGenerationError.
	Body string
	// Delay is waited, unscaled, before the fault applies (any kind), and
	// is not counted in generation_time_ms: it models time in the
	// platform's queue, not on the GPU.
	Delay time.Duration
	// Size is the body size of FaultHuge.
	Size int
	// RetryAfter, when positive, is sent as a Retry-After header (whole
	// seconds, rounded up) with FaultStatus and FaultNonJSON, as a
	// rate-limiting proxy sends it with a 429 or 503.
	RetryAfter time.Duration
}

// modelFault reports whether the fault replaces the model's answer, which
// only a generate request has.
func (f Fault) modelFault() bool {
	switch f.Kind {
	case FaultJSONError, FaultLength, FaultGenerationError:
		return true
	}
	return false
}

func (f Fault) route() string {
	if f.Path == "" {
		return routeGenerate
	}
	return f.Path
}

// Inject queues faults for the next requests: each request takes the first
// queued fault for its path, so faults apply in order, one per request.
// Inject panics on an unknown Kind, an unknown Path or a model fault
// (JSONError, Length, GenerationError) on a path other than /generate:
// those are mistakes in the calling test.
func (s *Server) Inject(faults ...Fault) {
	for _, f := range faults {
		if f.Kind <= 0 || int(f.Kind) >= len(faultNames) {
			panic(fmt.Sprintf("refserver: Inject: unknown fault kind %v", f.Kind))
		}
		switch f.route() {
		case routeGenerate:
		case routeHealth, routeWarmup:
			if f.modelFault() {
				panic(fmt.Sprintf("refserver: Inject: %v fault on %s: only /generate answers come from the model", f.Kind, f.Path))
			}
		default:
			panic(fmt.Sprintf("refserver: Inject: unknown path %q", f.Path))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// takeFault removes and returns the first queued fault for route.
func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.route() == route {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>The upstream app did not answer.</p></body></html>
`
