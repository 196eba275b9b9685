package cassette

import (
	"net/url"
	"regexp"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Redacted replaces secret values that must keep their place (query
// parameters, form fields).
const Redacted = "REDACTED"

// secretHeaders are removed from recordings altogether.
var secretHeaders = []string{
	"Authorization", "Proxy-Authorization", "Modal-Key", "Modal-Secret",
	"Cookie", "Set-Cookie", "X-Api-Key", "Api-Key",
}

// secretParam matches query and form keys that carry credentials.
var secretParam = regexp.MustCompile(`(?i)(token|key|secret|password|passwd|auth|signature|sig|credential|session)`)

// Redact strips credentials from an interaction before it is kept in memory
// or written: credential headers on both sides, cookies, and token-like query
// parameters and form fields.
func Redact(i *vcr.Interaction) error {
	for _, h := range secretHeaders {
		i.Request.Headers.Del(h)
		i.Response.Headers.Del(h)
	}
	i.Request.URL = redactURL(i.Request.URL)
	i.Request.RequestURI = redactURL(i.Request.RequestURI)
	for k := range i.Request.Form {
		if secretParam.MatchString(k) {
			i.Request.Form[k] = []string{Redacted}
		}
	}
	return nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	q := u.Query()
	changed := false
	for k := range q {
		if secretParam.MatchString(k) {
			q[k] = []string{Redacted}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
