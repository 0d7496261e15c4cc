package webhook_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

const rulesYAML = `# write-back rules
rules:
  - name: won
    type: Project
    category_id: 10
    when:
      changed: StatusId
      to: Sikeres            # a label
    set:
      AutoSalesV3_SalesStatus: Sikeres értékesítés
      LezarasNapja: "{today}"
  - name: lost
    type: Project
    category_id: 10
    when: {changed: StatusId, to: ["2624", Elveszett]}
    set: {AutoSalesV3_SalesStatus: "4043"}
  - name: any-module
    type: Project
    when: {changed: StatusId}
    set: {AutoSalesV3_SalesStatus: ignored because an earlier rule set it, Megjegyzes: státusz változott}
  - name: newsletter
    type: Contact
    when: {changed: Email}
    set: {Hirlevel: Igen}
`

func mustRules(t *testing.T, src string) *webhook.Rules {
	t.Helper()
	rs, err := webhook.ParseRules([]byte(src), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func payload(t *testing.T, body string) *webhook.Payload {
	t.Helper()
	p, err := webhook.ParsePayload([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRulesEvaluate(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, rulesYAML)
	if rs.Len() != 4 {
		t.Fatalf("%d rules", rs.Len())
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, budapest)
	schema := `"Schema":{"StatusId":{"2620":"Érdeklődő","2623":"Sikeres","2624":"Sikertelen"},` +
		`"AutoSalesV3_SalesStatus":{"4041":"Értékesítés folyamatban","4042":"Sikeres értékesítés","4043":"Sikertelen értékesítés"}}`
	card := func(cat, status, sales string, changed string) *webhook.Payload {
		return payload(t, `{"Id":"2056","Type":"Project","Data":{"CategoryId":"`+cat+`","StatusId":"`+status+
			`","AutoSalesV3_SalesStatus":"`+sales+`","Megjegyzes":""},"Changed":[`+changed+`],`+schema+`}`)
	}
	tests := []struct {
		name      string
		p         *webhook.Payload
		set       map[string]string
		fired     []string
		alreadySt []string
	}{
		{"won, by the status label", card("10", "2623", "4041", `"StatusId","UpdatedAt"`),
			map[string]string{"AutoSalesV3_SalesStatus": "Sikeres értékesítés", "LezarasNapja": "2026-11-22", "Megjegyzes": "státusz változott"},
			[]string{"won", "any-module"}, nil},
		{"lost, by the status id", card("10", "2624", "4041", `"StatusId"`),
			map[string]string{"AutoSalesV3_SalesStatus": "4043", "Megjegyzes": "státusz változott"}, []string{"lost", "any-module"}, nil},
		{"another module: only the rule for any module", card("5", "2623", "4041", `"StatusId"`),
			map[string]string{"AutoSalesV3_SalesStatus": "ignored because an earlier rule set it", "Megjegyzes": "státusz változott"},
			[]string{"any-module"}, nil},
		{"StatusId did not change", card("10", "2623", "4041", `"Name","UpdatedAt"`), nil, nil, nil},
		// The fields already hold what the rule wants (by label or by id):
		// nothing to write, so the answer cannot change anything twice.
		{"already set", card("10", "2623", "4042", `"StatusId"`),
			map[string]string{"LezarasNapja": "2026-11-22", "Megjegyzes": "státusz változott"}, []string{"won", "any-module"},
			[]string{"AutoSalesV3_SalesStatus"}},
		{"already set, by id", card("10", "2624", "4043", `"StatusId"`),
			map[string]string{"Megjegyzes": "státusz változott"}, []string{"lost", "any-module"}, []string{"AutoSalesV3_SalesStatus"}},
		// The change a write-back makes (if anything notified it) names only
		// fields the rules set: no rule fires on it.
		{"the echo of a write-back", card("10", "2623", "4042", `"AutoSalesV3_SalesStatus","LezarasNapja","Megjegyzes","UpdatedAt"`),
			nil, nil, nil},
		{"a contact", payload(t, `{"Id":"7","Type":"Contact","Data":{"Email":"a@b.hu"},"Changed":["Email"]}`),
			map[string]string{"Hirlevel": "Igen"}, []string{"newsletter"}, nil},
	}
	for _, tt := range tests {
		a := rs.Evaluate(tt.p, now)
		if !reflect.DeepEqual(a.Set, tt.set) || !reflect.DeepEqual(a.Fired, tt.fired) || !reflect.DeepEqual(a.AlreadySet, tt.alreadySt) {
			t.Errorf("%s:\n got %v fired %v already %v\nwant %v fired %v already %v", tt.name, a.Set, a.Fired, a.AlreadySet,
				tt.set, tt.fired, tt.alreadySt)
		}
	}
	var none *webhook.Rules
	if a := none.Evaluate(card("10", "2623", "4041", `"StatusId"`), now); a.Set != nil || none.Len() != 0 {
		t.Errorf("no rules: %+v", a)
	}
}

func TestRulesRefused(t *testing.T) {
	t.Parallel()
	_, err := webhook.ParseRules([]byte(`rules:
  - name: self-loop
    type: Project
    when: {changed: StatusId}
    set: {StatusId: "2623"}
  - name: ping
    type: Project
    category_id: 10
    when: {changed: A}
    set: {B: "1"}
  - name: pong
    type: Project
    when: {changed: B}
    set: {A: "1"}
  - name: other-module-is-fine
    type: Project
    category_id: 5
    when: {changed: C}
    set: {D: "1"}
  - name: other-module-is-fine-2
    type: Project
    category_id: 6
    when: {changed: D}
    set: {C: "1"}
  - type: Card
    when: {changed: X}
    set: {Y: "1"}
  - name: contact-with-module
    type: Contact
    category_id: 3
    when: {changed: Email}
    set: {Z: "1"}
  - name: bad-fields
    type: Project
    when: {changed: UpdatedAt}
    set: {UpdatedAt: "x", CategoryId: "3"}
  - name: empty
    type: Project
`), "rules.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"rules.yaml:2: self-loop: sets StatusId, the field it fires on",
		"rules.yaml:6: ping: sets B, which fires pong (line 11)",
		"rules.yaml:11: pong: sets A, which fires ping (line 6)",
		`rules.yaml:25: rule 6: type "Card"`,
		"rules.yaml:28: contact-with-module: category_id is only for cards",
		"rules.yaml:33: bad-fields: when.changed: UpdatedAt moves with every change",
		"rules.yaml:33: bad-fields: set: CategoryId cannot be written",
		"rules.yaml:33: bad-fields: set: UpdatedAt cannot be written",
		"rules.yaml:37: empty: when.changed is required",
		"rules.yaml:37: empty: set is empty",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "other-module-is-fine") {
		t.Errorf("rules of different modules cannot loop:\n%s", msg)
	}
	// Unknown keys are mistakes, reported with their line.
	if _, err := webhook.ParseRules([]byte("rules:\n  - name: x\n    typ: Project\n"), "r.yaml"); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("unknown key: %v", err)
	}
	// An empty file is no rules.
	if rs, err := webhook.ParseRules(nil, "r.yaml"); err != nil || rs.Len() != 0 {
		t.Errorf("empty file: %v %v", rs, err)
	}
}

func TestReceiverAnswersWithTheRules(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, rulesYAML)
	r := newRig(t, webhook.Config{Rules: rs})
	won := change(2056, "2623", "2026-11-22 10:00:00")
	a := r.post(won)
	if a.status != 200 || a.body != `{"AutoSalesV3_SalesStatus":"Sikeres értékesítés","LezarasNapja":"2026-11-22","Megjegyzes":"státusz változott"}` ||
		!strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s %v", a.status, a.body, a.header)
	}
	// A retry the next day gets the answer given the first time.
	r.clk.Set(r.clk.Now().Add(24 * time.Hour))
	if b := r.post(won); b.body != a.body {
		t.Errorf("retry: %s, want %s", b.body, a.body)
	}
	es := r.entries()
	if len(es) != 1 || es[0].Answer["LezarasNapja"] != "2026-11-22" {
		t.Fatalf("entries %+v", es)
	}
	if st := r.rc.Stats(); st.Answered != 2 || st.Recorded != 1 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(r.logs.String(), `rules="[won any-module]"`) {
		t.Errorf("the log names the rules that fired:\n%s", r.logs)
	}
}

// TestRulesCompareCanonically: a rule's values and a notification's are
// compared in MiniCRM's one canonical form (package crm): a multi-select by
// its labels in any order or by its bitmask, a dropdown by label or id.
func TestRulesCompareCanonically(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, `rules:
  - name: days
    type: Project
    when: {changed: Jelenlet, to: "Szerda, Hétfő"}
    set: {Napok: "Kedd, Hétfő", Forras: "4031"}
`)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, budapest)
	p := func(jelenlet, napok, forras string) *webhook.Payload {
		return payload(t, `{"Id":"9","Type":"Project","Data":{"Jelenlet":`+jelenlet+`,"Napok":`+napok+`,"Forras":"`+forras+`"},`+
			`"Changed":["Jelenlet"],"Schema":{"Jelenlet":{"1":"Hétfő","2":"Kedd","4":"Szerda"},"Napok":{"1":"Hétfő","2":"Kedd","4":"Szerda"},`+
			`"Forras":{"4031":"Weboldal","4032":"Ajánlás"}}}`)
	}
	for _, tt := range []struct {
		name    string
		p       *webhook.Payload
		fired   bool
		set     map[string]string
		already []string
	}{
		{"labels in another order than the bitmask's", p("5", "0", "4032"), true,
			map[string]string{"Napok": "Kedd, Hétfő", "Forras": "4031"}, nil},
		{"already set: bitmask 3 is Hétfő and Kedd; 4031 by id", p("5", "3", "4031"), true, nil, []string{"Forras", "Napok"}},
		{"another set of days does not fire", p("7", "0", "4032"), false, nil, nil},
	} {
		a := rs.Evaluate(tt.p, now)
		if (len(a.Fired) > 0) != tt.fired || !reflect.DeepEqual(a.Set, tt.set) || !reflect.DeepEqual(a.AlreadySet, tt.already) {
			t.Errorf("%s: fired %v set %v already %v; want fired %v set %v already %v", tt.name, a.Fired, a.Set, a.AlreadySet,
				tt.fired, tt.set, tt.already)
		}
	}
	// The fields MiniCRM fills in or fixes at creation, by crm's catalogue.
	_, err := webhook.ParseRules([]byte("rules:\n  - type: Contact\n    when: {changed: Email}\n    set: {Type: Business, ProjectHash: x, Deleted: \"1\"}\n"), "r.yaml")
	if err == nil || !strings.Contains(err.Error(), "Type cannot be written") || !strings.Contains(err.Error(), "ProjectHash cannot be written") ||
		strings.Contains(err.Error(), "Deleted") {
		t.Errorf("want Type and ProjectHash refused, Deleted allowed (trashing on a rule): %v", err)
	}
}
