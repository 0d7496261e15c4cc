package webhook_test

import (
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

// FuzzParsePayload: any body gives a payload or an error, never a panic.
func FuzzParsePayload(f *testing.F) {
	f.Add([]byte(docExample))
	f.Add([]byte(`{"Head":{"Id":1},"Schema":{}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{"Head":{"Id":"x","Type":1},"Schema":[1,2]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := webhook.ParsePayload(b)
		if err == nil && p == nil {
			t.Fatal("no payload and no error")
		}
	})
}

// FuzzParseRules: any rules file gives rules or an error naming the file.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte("rules: []\n"))
	f.Add([]byte("rules:\n  - when: {type: Project}\n"))
	f.Add([]byte(":\n\t-"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := webhook.ParseRules(b, "rules.yaml")
		if err == nil && r == nil {
			t.Fatal("no rules and no error")
		}
	})
}
