// Package redact keeps what leaves the machine bounded and clean: it
// scrubs the secrets the harness knows (Modal key and secret, API keys,
// credentials in the endpoint URL) out of any text before it is logged,
// journaled, reported, sent back to the endpoint or written to a cassette;
// it shortens values to excerpts that stay valid UTF-8; and it makes text
// from the model safe to print on a terminal.
//
// The scrubber works on values, not on field names: it knows what the
// secrets are, so it finds them wherever they went (an error from the
// transport that quotes the URL, an answer body that echoes the key), in
// their raw form and in the encoded forms they take on the way (URL query
// and path escaping, JSON string escaping, HTTP basic auth).
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Mask replaces a secret value. It is the same word the cassettes have
// always used for redacted headers and parameters.
const Mask = "REDACTED"

// MinSecretLen is the shortest value treated as a secret. Shorter values
// (an empty password, a "1" in ?key=1) are not secrets worth the name, and
// replacing them everywhere would shred ordinary text.
const MinSecretLen = 4

// SecretParam matches the names of query parameters and form fields that
// carry credentials: token, key, api_key, access_token, sig, signature,
// password, secret, auth, credential, session and their spellings.
var SecretParam = regexp.MustCompile(`(?i)(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session)`)

// credentialParam matches the query parameters whose values New treats as
// secrets: a credential word as the whole name or its last part (token,
// access_token, api_key, x-api-key, sig, ...). It is narrower than
// SecretParam, which only decides what to mask in a URL: a value scrubbed
// from every text must be a credential, or harmless words the model writes
// ("fast" from ?session_mode=fast) would be masked in its answers.
var credentialParam = regexp.MustCompile(`(?i)^(.*[_.-])?(token|key|apikey|secret|password|passwd|pwd|sig|signature|auth|credential|credentials|session|sessionid)$`)

// minUserToken is the shortest user name taken for a token when the URL
// has no password ("https://ghp_xxx@host"); shorter ones are user names.
const minUserToken = 16

// Scrubber replaces known secret values in arbitrary text. The zero value
// and a nil *Scrubber scrub nothing. It is safe for concurrent use.
type Scrubber struct {
	r       *strings.Replacer
	secrets []string // every form, longest first
}

// New builds a scrubber for the given secrets and for the credentials in
// the endpoint URL: the userinfo password (or a long user name standing
// for a token when there is no password) and the values of credential
// query parameters (token, key, api_key, access_token, sig, ...). Empty and short values
// (under MinSecretLen bytes) are ignored. An endpoint that does not parse
// contributes nothing but is not an error: the secrets still count.
func New(endpoint string, secrets ...string) *Scrubber {
	var all []string
	add := func(s string) {
		if len(s) < MinSecretLen {
			return
		}
		all = append(all, forms(s)...)
	}
	for _, s := range secrets {
		add(s)
	}
	if u, err := url.Parse(endpoint); err == nil && endpoint != "" {
		if u.User != nil {
			pw, hasPW := u.User.Password()
			add(pw)
			if !hasPW && len(u.User.Username()) >= minUserToken {
				add(u.User.Username()) // a token in the user's place
			}
			if hasPW && len(pw) >= MinSecretLen { // what net/http sends as basic auth
				all = append(all, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)))
			}
		}
		for k, vs := range u.Query() {
			if credentialParam.MatchString(k) {
				for _, v := range vs {
					add(v)
				}
			}
		}
	}
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) }) // longer forms win
	all = slices.Compact(all)
	if len(all) == 0 {
		return &Scrubber{}
	}
	pairs := make([]string, 0, 2*len(all))
	for _, s := range all {
		pairs = append(pairs, s, Mask)
	}
	return &Scrubber{r: strings.NewReplacer(pairs...), secrets: all}
}

// forms is a secret as it may appear in text: raw, URL query and path
// escaped (with upper and lower case hex), JSON string escaped, and base64.
func forms(s string) []string {
	out := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	for _, e := range out[1:3] {
		if strings.Contains(e, "%") {
			out = append(out, lowerHex(e))
		}
	}
	// JSON string escaping, with and without the HTML escapes (\u0026 for
	// &) that encoding/json writes by default.
	if j, err := json.Marshal(s); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := bytes.TrimSpace(buf.Bytes())
		out = append(out, string(j[1:len(j)-1]))
	}
	out = append(out, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)))
	return out
}

func lowerHex(e string) string {
	b := []byte(e)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// String returns s with every known secret replaced by Mask.
func (s *Scrubber) String(in string) string {
	if s == nil || s.r == nil {
		return in
	}
	return s.r.Replace(in)
}

// Bytes is String for a byte slice; it returns b itself when nothing
// changes.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil || s.r == nil || !s.Contains(string(b)) {
		return b
	}
	return []byte(s.r.Replace(string(b)))
}

// Contains reports whether in holds a known secret in any of its forms.
func (s *Scrubber) Contains(in string) bool {
	if s == nil {
		return false
	}
	for _, sec := range s.secrets {
		if strings.Contains(in, sec) {
			return true
		}
	}
	return false
}

// Error returns err with its message scrubbed; errors.Is and errors.As
// still see the original chain. nil stays nil, and an error with nothing
// to scrub is returned as it is.
func (s *Scrubber) Error(err error) error {
	if err == nil || s == nil || s.r == nil {
		return err
	}
	msg := err.Error()
	if !s.Contains(msg) {
		return err
	}
	return &scrubbed{msg: s.r.Replace(msg), err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// Excerpt scrubs in and then shortens it to at most n bytes (see the
// package function Excerpt). Scrubbing comes first so that a secret cut in
// two by the excerpt's end cannot leak its first half.
func (s *Scrubber) Excerpt(in string, n int) string { return Excerpt(s.String(in), n) }

// URL returns raw fit for display: the userinfo replaced by Mask and the
// values of token-like query parameters (SecretParam) replaced by Mask,
// other parameters kept. Text that does not parse as a URL is returned
// with any userinfo-looking prefix masked.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return maskUserinfo.ReplaceAllString(raw, "${1}"+Mask+"@")
	}
	if u.User != nil {
		u.User = url.User(Mask)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// A query that does not parse (a bare % or ;) is masked whole
		// rather than guessed at.
		if u.RawQuery != "" {
			u.RawQuery = Mask
		}
		return u.String()
	}
	changed := false
	for k := range q {
		if SecretParam.MatchString(k) {
			q[k] = []string{Mask}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

var maskUserinfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@`)

// DefaultExcerpt is the excerpt bound, in bytes, for a value quoted back
// to the endpoint in retry feedback or in an error: enough to show what
// went wrong, small enough that a runaway answer is not sent back whole.
const DefaultExcerpt = 1024

// Excerpt returns s shortened to at most n bytes. It never cuts a UTF-8
// sequence in two, replaces invalid UTF-8 with U+FFFD, and ends a
// shortened value with a marker saying how long the whole value was, so a
// reader knows it was cut: "…[truncated: 12345 bytes in all]". When n is
// too small to hold the marker the value is cut to n bytes without one.
func Excerpt(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	marker := fmt.Sprintf("…[truncated: %d bytes in all]", len(s))
	keep := n - len(marker)
	if keep < 0 {
		keep, marker = n, ""
	}
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + marker
}
