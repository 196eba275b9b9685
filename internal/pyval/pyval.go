// Package pyval writes Go values as Python literals, keeping the Python
// semantics a test case depends on: a Tuple is a tuple (never equal to a
// list), a Go float is a Python float (3.0, not 3), nil is None, and bools
// are True and False.
package pyval

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Tuple is a Python tuple.
type Tuple []any

// Literal renders v as a Python expression. Infinity and NaN render as the
// names inf and nan, which the evaluator defines.
//
// Mapping: nil -> None; bool -> True/False; Go integers -> int; float32 and
// float64 -> float; string -> str; Tuple -> tuple; other slices and arrays ->
// list; maps -> dict (keys sorted by their literal, for stable output).
func Literal(v any) (string, error) {
	var b strings.Builder
	if err := write(&b, reflect.ValueOf(v)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Args renders positional arguments as a Python list literal.
func Args(args []any) (string, error) { return Literal(args) }

var tupleType = reflect.TypeFor[Tuple]()

func write(b *strings.Builder, v reflect.Value) error {
	if !v.IsValid() {
		b.WriteString("None")
		return nil
	}
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			b.WriteString("None")
			return nil
		}
		return write(b, v.Elem())
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(float(v.Float(), v.Type().Bits()))
	case reflect.String:
		// A JSON string is a valid Python str literal with the same value.
		s, _ := json.Marshal(v.String())
		b.Write(s)
	case reflect.Slice, reflect.Array:
		open, close := "[", "]"
		if v.Type() == tupleType {
			open, close = "(", ")"
		}
		b.WriteString(open)
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := write(b, v.Index(i)); err != nil {
				return err
			}
		}
		if v.Type() == tupleType && v.Len() == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case reflect.Map:
		type kv struct{ k, v string }
		var items []kv
		for it := v.MapRange(); it.Next(); {
			k, err := Literal(it.Key().Interface())
			if err != nil {
				return err
			}
			val, err := Literal(it.Value().Interface())
			if err != nil {
				return err
			}
			items = append(items, kv{k, val})
		}
		slices.SortFunc(items, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b.WriteString("{")
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(it.k + ": " + it.v)
		}
		b.WriteString("}")
	default:
		return fmt.Errorf("pyval: cannot write a Go %s as a Python literal", v.Type())
	}
	return nil
}

func float(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}
