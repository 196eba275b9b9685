package cassette

import (
	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/lift-sys/lifttest/internal/redact"
)

// Redacted replaces secret values that must keep their place (query
// parameters, form fields).
const Redacted = redact.Mask

// secretHeaders are removed from recordings altogether.
var secretHeaders = []string{
	"Authorization", "Proxy-Authorization", "Modal-Key", "Modal-Secret",
	"Cookie", "Set-Cookie", "X-Api-Key", "Api-Key",
}

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
		if redact.SecretParam.MatchString(k) {
			i.Request.Form[k] = []string{Redacted}
		}
	}
	return nil
}

// redactURL masks the userinfo and the values of token-like query
// parameters (redact.SecretParam), keeping harmless parameters.
func redactURL(raw string) string { return redact.URL(raw) }
