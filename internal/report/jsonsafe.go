package report

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"

	"github.com/lift-sys/lifttest/internal/results"
)

// safeSummary marshals a results.Summary with every NaN or infinite number
// (an interval or rate over zero runs) written as null: encoding/json
// refuses them, and 0 would be a lie. Reading the file back leaves those
// fields at zero.
type safeSummary results.Summary

func sanitizeSummary(s results.Summary) safeSummary { return safeSummary(s) }

func (s safeSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonSafe(reflect.ValueOf(results.Summary(s))))
}

func (s *safeSummary) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, (*results.Summary)(s))
}

// jsonSafe converts v into plain maps, slices and values that encoding/json
// marshals as it would v, except that non-finite floats become nil.
func jsonSafe(v reflect.Value) any {
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.Type().Implements(reflect.TypeFor[json.Marshaler]()) {
		return v.Interface() // e.g. time.Time: it knows its own encoding
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return v.Interface()
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" && opts == "" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if strings.Contains(opts, "omitempty") && v.Field(i).IsZero() {
				continue
			}
			m[name] = jsonSafe(v.Field(i))
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonSafe(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		// Keys keep their own encoding (encoding/json formats int keys as
		// strings and sorts them).
		out := reflect.MakeMapWithSize(reflect.MapOf(v.Type().Key(), reflect.TypeFor[any]()), v.Len())
		for it := v.MapRange(); it.Next(); {
			val := jsonSafe(it.Value())
			if val == nil {
				out.SetMapIndex(it.Key(), reflect.Zero(reflect.TypeFor[any]()))
			} else {
				out.SetMapIndex(it.Key(), reflect.ValueOf(val))
			}
		}
		return out.Interface()
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonSafe(v.Elem())
	}
	return v.Interface()
}
