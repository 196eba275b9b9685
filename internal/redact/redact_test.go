package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	modalKey    = "wk-Key/With+Odd&Chars"
	modalSecret = "ws-s3cr3t-value"
	apiKey      = "sk-abcdef123456"
	endpoint    = "https://user:pa%24%24word@example.invalid:8443/generate?token=tok-query1&api_key=qk-22222&sig=sig-33333&access_token=at-44444&mode=fast"
)

func scrubber() *Scrubber { return New(endpoint, modalKey, modalSecret, apiKey) }

func TestScrubberReplacesEveryForm(t *testing.T) {
	s := scrubber()
	secrets := []string{modalKey, modalSecret, apiKey, "pa$$word", "tok-query1", "qk-22222", "sig-33333", "at-44444"}
	for _, sec := range secrets {
		for _, form := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec), lowerHex(url.QueryEscape(sec)),
			strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%q", sec), `"`), `"`), base64.StdEncoding.EncodeToString([]byte(sec))} {
			in := "before " + form + " after"
			got := s.String(in)
			assert.NotContains(t, got, form, "%q", in)
			assert.Contains(t, got, Mask)
			assert.True(t, strings.HasPrefix(got, "before ") && strings.HasSuffix(got, " after"), got)
		}
	}
	for _, html := range []bool{true, false} {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		require.NoError(t, enc.Encode(map[string]string{"k": modalKey + `"q\`}))
		assert.NotContains(t, s.String(buf.String()), "Key/With", "JSON-encoded, escapeHTML=%v: %s", html, buf.String())
	}
	basic := base64.StdEncoding.EncodeToString([]byte("user:pa$$word"))
	assert.NotContains(t, s.String("Authorization: Basic "+basic), basic)
	assert.Equal(t, "mode=fast", s.String("mode=fast"), "harmless text stays")
}

// Only credentials are scrubbed from every text: other parameters of the
// endpoint and a short user name are words the model may well write.
func TestScrubberLeavesOrdinaryWords(t *testing.T) {
	s := New("https://alice:pw-12345@h/x?monkey=banana&author=writer&session_mode=fast&x-api-key=k-12345&Access_Token=at-67890")
	assert.Equal(t, "alice banana writer fast REDACTED REDACTED REDACTED", s.String("alice banana writer fast k-12345 at-67890 pw-12345"))
	tok := New("https://ghp_0123456789abcdef@h/")
	assert.Equal(t, "REDACTED", tok.String("ghp_0123456789abcdef"), "a token in the user's place")
}

func TestScrubberIgnoresShortAndEmpty(t *testing.T) {
	s := New("http://127.0.0.1:1/x?key=1", "", "ab")
	assert.Equal(t, "a b 1 ab", s.String("a b 1 ab"))
	var nilS *Scrubber
	assert.Equal(t, "x", nilS.String("x"))
	assert.NoError(t, nilS.Error(nil))
}

func TestScrubberErrorKeepsChain(t *testing.T) {
	s := scrubber()
	base := fmt.Errorf("POST %s: %w", endpoint, fs.ErrNotExist)
	err := s.Error(base)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	for _, sec := range []string{"tok-query1", "qk-22222", "pa%24%24word"} {
		assert.NotContains(t, err.Error(), sec)
	}
	plain := errors.New("nothing secret")
	assert.Same(t, plain, s.Error(plain))
}

// The transport's own errors quote the URL: the scrubber finds the
// credentials there, as the harness will see them, from a real call to a
// fake endpoint on 127.0.0.1 that echoes them back in its answer.
func TestScrubberOnAnEchoingEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"error":"bad key %s for %s"}`, r.Header.Get("Modal-Key"), r.URL.String())
	}))
	t.Cleanup(srv.Close)
	ep := srv.URL + "/generate?token=tok-echo-1"
	s := New(ep, modalKey)
	req, _ := http.NewRequest(http.MethodGet, ep, nil)
	req.Header.Set("Modal-Key", modalKey)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	var b strings.Builder
	_, _ = fmt.Fprint(&b, resp.Status, " ")
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	resp.Body.Close()
	body := string(buf[:n])
	require.Contains(t, body, modalKey, "the fake endpoint echoes the key")
	got := s.String(body)
	assert.NotContains(t, got, modalKey)
	assert.NotContains(t, got, "tok-echo-1")

	// A refused connection's error quotes the URL.
	srv.Close()
	_, err = http.Get(ep)
	require.Error(t, err)
	require.Contains(t, err.Error(), "tok-echo-1")
	assert.NotContains(t, s.Error(err).Error(), "tok-echo-1")
}

func TestURL(t *testing.T) {
	got := URL(endpoint)
	for _, sec := range []string{"user", "pa%24%24word", "tok-query1", "qk-22222", "sig-33333", "at-44444"} {
		assert.NotContains(t, got, sec)
	}
	assert.Contains(t, got, "mode=fast")
	assert.Contains(t, got, "example.invalid:8443/generate")
	assert.Equal(t, "https://example.invalid/generate", URL("https://example.invalid/generate"))
	assert.NotContains(t, URL("http://u:p4ss@h/%zz"), "p4ss", "unparseable: userinfo still masked")
	assert.NotContains(t, URL("http://h/x?token=abc%zz"), "abc", "unparseable query: masked whole")
}

func TestExcerpt(t *testing.T) {
	assert.Equal(t, "short", Excerpt("short", 100))
	long := strings.Repeat("é", 1000) // 2000 bytes
	got := Excerpt(long, 100)
	assert.LessOrEqual(t, len(got), 100)
	assert.True(t, utf8.ValidString(got))
	assert.Contains(t, got, "truncated: 2000 bytes in all")
	for n := range 40 {
		e := Excerpt(long, n)
		assert.LessOrEqual(t, len(e), n)
		assert.True(t, utf8.ValidString(e), "n=%d", n)
	}
	assert.True(t, utf8.ValidString(Excerpt("a\xffb", 10)))
	assert.Equal(t, "", Excerpt("abc", -1))
}

func TestScrubberExcerptScrubsFirst(t *testing.T) {
	s := New("", "SECRET-0123456789")
	in := strings.Repeat("x", 50) + "SECRET-0123456789" + strings.Repeat("y", 2000)
	// An excerpt ending inside the secret would leak its first half.
	for n := 50; n < 120; n++ {
		assert.NotContains(t, s.Excerpt(in, n), "SECRET-0", "n=%d", n)
	}
}

func TestTerminal(t *testing.T) {
	cases := map[string]string{
		"plain\ttext\nline 2":               "plain\ttext\nline 2",
		"\x1b[31mred\x1b[0m":                `\x1b[31mred\x1b[0m`,
		"title\x1b]0;pwned\x07":             `title\x1b]0;pwned\x07`,
		"over\rwrite":                       `over\x0dwrite`,
		"bell\x00nul\x7f":                   `bell\x00nul\x7f`,
		"c1 \u009b31m csi":                  `c1 \u009b31m csi`,
		"abc\u202eevil\u202c \u2066x\u2069": `abc\u202eevil\u202c \u2066x\u2069`,
		"bad \xff byte":                     `bad \xff byte`,
		"ünïcode ok → λ":                    "ünïcode ok → λ",
	}
	for in, want := range cases {
		assert.Equal(t, want, Terminal(in), "%q", in)
	}
}

func FuzzTerminal(f *testing.F) {
	for _, s := range []string{"", "a\x1b[2J", "\u202e", "\xff\xfe", "x\r\n", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Terminal(s)
		if !utf8.ValidString(out) {
			t.Fatalf("not UTF-8: %q", out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("unsafe rune %U left in %q", r, out)
			}
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	f.Add("héllo wörld", 5)
	f.Add(strings.Repeat("日本", 100), 40)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 1 << 12
		out := Excerpt(s, n)
		if !utf8.ValidString(out) || len(out) > max(n, 0) && len(out) > len(strings.ToValidUTF8(s, "\uFFFD")) {
			t.Fatalf("Excerpt(%q, %d) = %q", s, n, out)
		}
	})
}

// FuzzScrubber: whatever the secret and the text around it, no form of
// the secret is left after scrubbing, in the text or in an excerpt of it.
func FuzzScrubber(f *testing.F) {
	f.Add("sk-abcdef", "key sk-abcdef and sk%2Dabcdef", "https://u:p4ssw0rd@h/x?token=tok-1234")
	f.Add("a/b+c&d", "a%2Fb%2Bc%26d a%2fb%2bc%26d", "http://h/?sig=zzzz")
	f.Fuzz(func(t *testing.T, secret, text, endpoint string) {
		s := New(endpoint, secret)
		out := s.String(text + secret + text)
		// What is left between the masks is the original text: no secret
		// may be whole in it. (A mask next to the text may spell a secret
		// by chance, "REDACTED"+"a" holding "TEDa": that is no leak.)
		for _, piece := range strings.Split(out, Mask) {
			if len(secret) >= MinSecretLen && strings.Contains(piece, secret) || s.Contains(piece) {
				t.Fatalf("a secret is left in %q of %q", piece, out)
			}
		}
	})
}
