package modal

import (
	"encoding/json"

	"github.com/lift-sys/lifttest/internal/provider/jsonscan"
)

// decodeAnswer decodes a generate body into a. The common answer (an
// object of answer's keys and others, strings, integer counts, an ir_json
// or text value) is read in one validating pass by readAnswer; anything it
// does not decide exactly as json.Unmarshal would (a key spelt in another
// case, a repeated key, a wrong type, invalid JSON) goes to json.Unmarshal,
// so that the result and the error are json.Unmarshal's in every case.
// FuzzDecodeAnswer checks the two agree.
//
// json.Unmarshal scans the body twice (checkValid, then the decode) and
// the ir_json value a third time (RawMessage's skip, then its copy): 40 %
// of the client's own CPU per request under `make loadtest` (see doc.go).
func decodeAnswer(raw []byte, a *answer) error {
	if readAnswer(raw, a) {
		return nil
	}
	*a = answer{}
	return json.Unmarshal(raw, a)
}

// answerKeys are answer's JSON keys, in the order of the seen bits.
var answerKeys = [...]string{"ir_json", "text", "tokens_used", "generation_time_ms", "finish_reason", "error", "raw_output", "status"}

// readAnswer is decodeAnswer's fast path: it reports false, with a in any
// state, wherever it does not decide exactly as json.Unmarshal would.
// ir_json and text alias raw (json.Unmarshal would copy them; raw is the
// caller's, read for this answer only).
func readAnswer(raw []byte, a *answer) bool {
	s := jsonscan.Scanner{B: raw}
	var seen uint
	ok := s.Object(func(key []byte) bool {
		i := 0
		for i < len(answerKeys) && answerKeys[i] != string(key) {
			i++
		}
		if i == len(answerKeys) { // json.Unmarshal skips it, unless it folds to one of ours
			_, ok := s.Value()
			return ok && !jsonscan.Folds(key, answerKeys[:]...)
		}
		if seen&(1<<i) != 0 {
			return false // repeated: left to json.Unmarshal's rules
		}
		seen |= 1 << i
		var ok bool
		switch i {
		case 0, 1: // a null becomes "null", as json.RawMessage's
			var v []byte
			if v, ok = s.Value(); i == 0 {
				a.IRJSON = v
			} else {
				a.Text = v
			}
		case 2, 7: // a null leaves a string or a number as it is
			n := 0
			if ok = s.Null(); !ok {
				n, ok = s.Int()
			}
			if i == 2 {
				a.Tokens = n
			} else {
				a.Status = n
			}
		case 3:
			if ok = s.Null(); !ok {
				a.GenTimeMS, ok = s.Float()
			}
		default:
			if s.Null() {
				return true
			}
			var v string
			v, ok = s.String()
			switch i {
			case 4:
				a.FinishReason = v
			case 5:
				a.Error = v
			case 6:
				a.RawOutput = v
			}
		}
		return ok
	})
	return ok && s.End()
}
