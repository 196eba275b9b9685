package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// FuzzReadJournal feeds the journal reader arbitrary files: it must return
// records or a positioned error, never panic, and what it reads must
// survive a write and a second read unchanged.
func FuzzReadJournal(f *testing.F) {
	var good bytes.Buffer
	head, _ := json.Marshal(journalHeader{Format: journalFormat, Run: record.Meta{Mode: "replay"}})
	good.Write(append(head, '\n'))
	for _, c := range fixtureCases()[:3] {
		line, _ := json.Marshal(c)
		good.Write(append(line, '\n'))
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()-7]) // a last line cut by a kill
	f.Add([]byte(""))
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"format":"lifttest-journal/v1","run":{}}` + "\n"))
	f.Add(append(head, []byte("\n{\"suite\": 3}\n")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, recs, err := readJournal("fuzz.jsonl", bytes.NewReader(data))
		if err != nil && len(recs) == 0 {
			return
		}
		var again bytes.Buffer
		head, err := json.Marshal(journalHeader{Format: journalFormat, Run: meta})
		if err != nil {
			t.Fatalf("re-encode the header: %v", err)
		}
		again.Write(append(head, '\n'))
		for _, r := range recs {
			line, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("re-encode a record: %v", err)
			}
			again.Write(append(line, '\n'))
		}
		_, recs2, err := readJournal("again.jsonl", &again)
		if err != nil || len(recs2) != len(recs) {
			t.Fatalf("a journal written from what was read does not read back: %d records, then %d, %v", len(recs), len(recs2), err)
		}
	})
}
