package cassette

import (
	"bytes"
	"hash/maphash"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// A replay parses each cassette file once per process, not once per case:
// the YAML parse of a cassette and the canonical form of its recorded
// request bodies were about half of the harness's heap per replayed case
// (see doc.go, Costs). A parsed cassette is shared read-only by every
// session that replays it; what a session changes (which recordings it has
// used) is its own.

// parsed is one cassette file, parsed, with what matching and checking need
// per recording computed once.
type parsed struct {
	c      *vcr.Cassette
	canon  []string // canonical request body per recording
	path   []string // request URL path per recording
	pathOK []bool   // the recorded URL parses

	checkOnce []sync.Once
	problem   []string // check's verdict per recording, once it ran

	// sent remembers the canonical form of request bodies that differed
	// from their recording in bytes: the next replay of the case sends the
	// same bytes. At most maxSent entries per cassette.
	mu   sync.Mutex
	sent map[string]string
}

// maxSent bounds parsed.sent; past it entries are no longer added.
const maxSent = 64

// canonicalSent is canonical(body), remembered per parsed cassette.
func (p *parsed) canonicalSent(body []byte) string {
	p.mu.Lock()
	c, ok := p.sent[string(body)]
	p.mu.Unlock()
	if ok {
		return c
	}
	c = canonical(body)
	p.mu.Lock()
	if p.sent == nil {
		p.sent = make(map[string]string)
	}
	if len(p.sent) < maxSent {
		p.sent[string(body)] = c
	}
	p.mu.Unlock()
	return c
}

// fileKey identifies one content of a file: the cache is keyed by what
// was read, so a cassette rewritten in place (same size, within the file
// system's clock tick) is parsed again.
type fileKey struct {
	path string
	size int
	sum  uint64 // maphash of the content, seeded per process
}

var hashSeed = maphash.MakeSeed()

// maxParsed bounds the cache; past it the cache starts over.
const maxParsed = 4096

var parsedCache struct {
	sync.Mutex
	m map[fileKey]*parsed
	// stat remembers, per path, the file's identity when it was read and
	// what it parsed to, so that an unchanged file is not read again.
	stat map[string]statEntry
}

// statEntry is what a path held when it was read. It stands for the file
// only while the file's inode, size and modification time are the same and
// that time was well before the read (as git trusts its index): a write
// after the read moves the time past it, while one within the file
// system's clock tick of the read could leave it equal, so such a racy
// entry is never trusted.
type statEntry struct {
	ino, size uint64
	mtime     time.Time
	p         *parsed
}

// racyWindow is how far before the read a file's modification time must be
// for its stat to be trusted (coarse file-system clocks tick in jiffies).
const racyWindow = time.Second

func statOf(path string) (ino, size uint64, mtime time.Time, ok bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, time.Time{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, time.Time{}, false
	}
	return st.Ino, uint64(fi.Size()), fi.ModTime(), true
}

// loadParsed returns the parsed cassette at path, from the cache when the
// same content was parsed before. It reads the file as go-vcr's
// cassette.Load does and parses it the same way.
func loadParsed(path string) (*parsed, error) {
	c := vcr.New(strings.TrimSuffix(path, ".yaml"))
	ino, size, mtime, statOK := statOf(c.File)
	if statOK {
		parsedCache.Lock()
		e, ok := parsedCache.stat[c.File]
		parsedCache.Unlock()
		if ok && e.ino == ino && e.size == size && e.mtime.Equal(mtime) {
			return e.p, nil
		}
	}
	readAt := time.Now()
	data, err := os.ReadFile(c.File)
	if err != nil {
		return nil, err
	}
	k := fileKey{path: path, size: len(data), sum: maphash.Bytes(hashSeed, data)}
	// Trusted next time only if the stat taken before the read still
	// holds after it and the file was last written well before the read.
	remember := func(p *parsed) {
		ino2, size2, mtime2, ok2 := statOf(c.File)
		if !statOK || !ok2 || ino2 != ino || size2 != size || !mtime2.Equal(mtime) ||
			size != uint64(len(data)) || !mtime.Before(readAt.Add(-racyWindow)) {
			return
		}
		parsedCache.Lock()
		if parsedCache.stat == nil || len(parsedCache.stat) >= maxParsed {
			parsedCache.stat = make(map[string]statEntry)
		}
		parsedCache.stat[c.File] = statEntry{ino: ino, size: size, mtime: mtime, p: p}
		parsedCache.Unlock()
	}
	parsedCache.Lock()
	p := parsedCache.m[k]
	parsedCache.Unlock()
	if p != nil {
		remember(p)
		return p, nil
	}
	c.IsNew = false
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, err
	}
	if c.Version != vcr.CassetteFormatV2 {
		return nil, vcr.ErrUnsupportedCassetteFormat
	}
	n := len(c.Interactions)
	p = &parsed{c: c, canon: make([]string, n), path: make([]string, n), pathOK: make([]bool, n),
		checkOnce: make([]sync.Once, n), problem: make([]string, n)}
	for j, i := range c.Interactions {
		p.canon[j] = canonical([]byte(i.Request.Body))
		if u, err := url.Parse(i.Request.URL); err == nil {
			p.path[j], p.pathOK[j] = u.Path, true
		}
	}
	parsedCache.Lock()
	if parsedCache.m == nil || len(parsedCache.m) >= maxParsed {
		parsedCache.m = make(map[fileKey]*parsed)
	}
	parsedCache.m[k] = p
	parsedCache.Unlock()
	remember(p)
	return p, nil
}

// check is check(i) for recording j, run once per parsed file.
func (p *parsed) check(j int) string {
	p.checkOnce[j].Do(func() { p.problem[j] = check(p.c.Interactions[j]) })
	return p.problem[j]
}

// replayTransport answers from a parsed cassette as go-vcr's ModeReplayOnly
// with this package's matcher did: the first recording not used yet whose
// method, URL path and canonical body match; each recording once.
type replayTransport struct {
	s    *Session
	p    *parsed
	mu   sync.Mutex
	used []bool
}

func (t *replayTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		// A pooled buffer: the body is only compared, never kept.
		buf := bodyBufs.Get().(*bytes.Buffer)
		defer putBodyBuf(buf)
		if r.ContentLength > 0 && r.ContentLength < 1<<30 {
			buf.Grow(int(r.ContentLength) + bytes.MinRead)
		}
		if _, err := buf.ReadFrom(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		body = buf.Bytes()
	}
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	j := t.find(r, body)
	if j < 0 {
		return nil, t.s.mismatch(r, body)
	}
	i := t.p.c.Interactions[j]
	if prob := t.p.check(j); prob != "" {
		return nil, t.s.invalid(i.ID, prob)
	}
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	// The recorded answer, as go-vcr's GetHTTPResponse builds it, but
	// answering r (as a real transport would) rather than a request rebuilt
	// from the recording, which cost a URL parse per call. The parsed
	// cassette is shared: the caller gets its own maps.
	rec := &i.Response
	resp := &http.Response{
		Status: rec.Status, StatusCode: rec.Code, Proto: rec.Proto, ProtoMajor: rec.ProtoMajor, ProtoMinor: rec.ProtoMinor,
		ContentLength: rec.ContentLength, Uncompressed: rec.Uncompressed, Close: true, Request: r,
		Body:             io.NopCloser(strings.NewReader(rec.Body)),
		Header:           http.Header(rec.Headers).Clone(),
		Trailer:          http.Header(rec.Trailer).Clone(),
		TransferEncoding: append([]string(nil), rec.TransferEncoding...),
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	if tm, ok := r.Context().Value(timingKey{}).(*Timing); ok {
		tm.Recorded += i.Response.Duration
		tm.Replayed = true
	}
	return resp, nil
}

// bodyBufs holds request-body buffers for RoundTrip.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBodyBuf returns buf to the pool unless it grew past what a generate
// request needs (a schema and a prompt are a few KiB).
func putBodyBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		buf.Reset()
		bodyBufs.Put(buf)
	}
}

// find marks and returns the recording that answers r, or -1.
func (t *replayTransport) find(r *http.Request, body []byte) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var canon string
	haveCanon := false
	for j, i := range t.p.c.Interactions {
		if t.used[j] || i.Request.Method != r.Method || !t.p.pathOK[j] || t.p.path[j] != r.URL.Path {
			continue
		}
		// Equal bytes are equal canonical forms; only a body sent with
		// other key order or spacing than recorded needs re-encoding.
		if i.Request.Body != string(body) {
			if !haveCanon {
				canon, haveCanon = t.p.canonicalSent(body), true
			}
			if canon != t.p.canon[j] {
				continue
			}
		}
		t.used[j] = true
		return j
	}
	return -1
}

// cachedHost is Host from the parsed cache.
func cachedHost(path string) string {
	p, err := loadParsed(path)
	if err != nil || len(p.c.Interactions) == 0 {
		return ""
	}
	u, err := url.Parse(p.c.Interactions[0].Request.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Preload parses the cassettes at paths into the cache that Open reads,
// a few at a time, so that a replay pays for parsing once, before its
// cases run (a benchmark's loop then times lifttest's own work). A
// cassette that cannot be read or parsed is skipped: Open reports it,
// naming the case.
func Preload(paths []string) {
	limit := (&Session{}).maxCassette() // Open's cap with the default Options
	var wg sync.WaitGroup
	next := make(chan string)
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for p := range next {
				if fi, err := os.Stat(p); err == nil && fi.Size() <= limit {
					_, _ = loadParsed(p)
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
}
