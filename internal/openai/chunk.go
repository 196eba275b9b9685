package openai

import (
	"encoding/json"

	"github.com/lift-sys/lifttest/internal/provider/jsonscan"
)

// decodeChunk decodes one stream event into ch, reusing ch's choices (a
// stream decodes hundreds of chunks into one wireAnswer). The common chunk
// (choices with a delta or text and a finish reason, usage, error or
// timings, any other keys) is read in one validating pass by readChunk;
// anything it does not decide exactly as json.Unmarshal would (a key spelt
// in another case, a repeated key, a wrong type, invalid JSON) goes to
// json.Unmarshal, so that the result and the error are json.Unmarshal's in
// every case. FuzzDecodeChunk checks the two agree.
//
// json.Unmarshal was 80 % of the stream reader's CPU (see doc.go).
func decodeChunk(data []byte, ch *wireAnswer) error {
	resetChunk(ch)
	if readChunk(data, ch) {
		return nil
	}
	resetChunk(ch)
	return json.Unmarshal(data, ch)
}

// resetChunk empties ch for the next chunk, keeping the choices' array:
// json reuses its elements and keeps the fields a chunk omits, so they are
// zeroed first (elements past the length are zero already: only a
// decode's own elements are ever written).
func resetChunk(ch *wireAnswer) {
	clear(ch.Choices)
	ch.Choices, ch.Usage, ch.Error, ch.Timings = ch.Choices[:0], nil, nil, nil
}

var (
	chunkKeys  = [...]string{"choices", "usage", "error", "timings"}
	choiceKeys = [...]string{"message", "delta", "text", "finish_reason"}
	usageKeys  = [...]string{"prompt_tokens", "completion_tokens"}
	errorKeys  = [...]string{"message", "type"}
	timingKeys = [...]string{"prompt_n", "prompt_ms", "predicted_n", "predicted_ms", "predicted_per_token_ms"}
)

// readChunk is decodeChunk's fast path, on a reset ch: it reports false,
// with ch in any state, wherever it does not decide exactly as
// json.Unmarshal would. A "choices": null leaves an empty slice where
// json.Unmarshal would leave nil: the same to every reader of a chunk.
func readChunk(data []byte, ch *wireAnswer) bool {
	s := jsonscan.Scanner{B: data}
	ok := object(&s, chunkKeys[:], func(i int) bool {
		if s.Null() {
			return true
		}
		switch i {
		case 0:
			return s.Array(func() bool {
				ch.Choices = append(ch.Choices, choice{})
				return s.Null() || readChoice(&s, &ch.Choices[len(ch.Choices)-1])
			})
		case 1:
			ch.Usage = new(usage)
			u := ch.Usage
			return object(&s, usageKeys[:], func(i int) bool {
				if i == 0 {
					return intOrNull(&s, &u.PromptTokens)
				}
				return intOrNull(&s, &u.CompletionTokens)
			})
		case 2:
			ch.Error = new(apiError)
			e := ch.Error
			return object(&s, errorKeys[:], func(i int) bool {
				if i == 0 {
					return stringOrNull(&s, &e.Message)
				}
				return stringOrNull(&s, &e.Type)
			})
		default:
			ch.Timings = new(timingsBody)
			t := ch.Timings
			return object(&s, timingKeys[:], func(i int) bool {
				switch i {
				case 0:
					return intOrNull(&s, &t.PromptN)
				case 1:
					return floatOrNull(&s, &t.PromptMS)
				case 2:
					return intOrNull(&s, &t.PredictedN)
				case 3:
					return floatOrNull(&s, &t.PredictedMS)
				}
				return floatOrNull(&s, &t.PredictedPerTokenMS)
			})
		}
	})
	return ok && s.End()
}

func readChoice(s *jsonscan.Scanner, c *choice) bool {
	return object(s, choiceKeys[:], func(i int) bool {
		switch i {
		case 0, 1:
			d := &c.Message
			if i == 1 {
				d = &c.Delta
			}
			return s.Null() || object(s, []string{"content"}, func(int) bool { return stringOrNull(s, &d.Content) })
		case 2:
			return stringOrNull(s, &c.Text)
		}
		return stringOrNull(s, &c.FinishReason)
	})
}

// object reads an object into a struct whose JSON keys are keys: member
// reads the value of keys[i]. Other keys are skipped, as json.Unmarshal
// skips them, unless they fold to one of keys; a repeated key reports
// false (json.Unmarshal's rules for it are its own).
func object(s *jsonscan.Scanner, keys []string, member func(i int) bool) bool {
	var seen uint
	return s.Object(func(key []byte) bool {
		for i, k := range keys {
			if k == string(key) {
				if seen&(1<<i) != 0 {
					return false
				}
				seen |= 1 << i
				return member(i)
			}
		}
		_, ok := s.Value()
		return ok && !jsonscan.Folds(key, keys...)
	})
}

// A null leaves a string or a number as it is, as json.Unmarshal does.
func stringOrNull(s *jsonscan.Scanner, v *string) bool {
	if s.Null() {
		return true
	}
	var ok bool
	*v, ok = s.String()
	return ok
}

func intOrNull(s *jsonscan.Scanner, v *int) bool {
	if s.Null() {
		return true
	}
	var ok bool
	*v, ok = s.Int()
	return ok
}

func floatOrNull(s *jsonscan.Scanner, v *float64) bool {
	if s.Null() {
		return true
	}
	var ok bool
	*v, ok = s.Float()
	return ok
}
