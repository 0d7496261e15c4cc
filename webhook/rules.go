package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Rules decide the write-back a Receiver answers with. A rules file:
//
//	rules:
//	  - name: won-deal                 # for the log; "rule N" when absent
//	    type: Project                  # Project or Contact
//	    category_id: 10                # optional, cards only: the module
//	    when:
//	      changed: StatusId            # the field whose change fires the rule
//	      to: [Sikeres, "2623"]        # optional: only to these values (ids or labels)
//	    set:                           # fields to write back, as an R3 PUT takes them
//	      AutoSalesV3_SalesStatus: Sikeres értékesítés
//	      LezarasDatuma: "{today}"     # {today} and {now}: the receiver's date / date and time
//
// When several rules set one field, the first in the file wins.
type Rules struct {
	rules []Rule
}

// Rule is one entry of a rules file.
type Rule struct {
	Name       string
	Type       string
	CategoryID int // 0: any module
	Changed    string
	To         []string
	Set        map[string]string
	Line       int // where the rule starts in its file
}

type ruleFile struct {
	Rules []ruleYAML `yaml:"rules"`
}

type ruleYAML struct {
	Name       string `yaml:"name"`
	Type       string `yaml:"type"`
	CategoryID int    `yaml:"category_id"`
	When       struct {
		Changed string     `yaml:"changed"`
		To      stringList `yaml:"to"`
	} `yaml:"when"`
	Set map[string]string `yaml:"set"`
}

// stringList is one value or a list of values.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = stringList{n.Value}
		return nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: want a value or a list of values", c.Line)
			}
			out = append(out, c.Value)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: want a value or a list of values", n.Line)
}

// writable reports whether a write-back may set a field: not one MiniCRM
// fills in, nor one fixed when the record was created (a card's module, a
// contact's Type), by crm's catalogue. Links and the trash flag may be set.
func writable(name string) bool {
	switch crm.RoleOf(name) {
	case crm.Computed, crm.Fixed:
		return false
	}
	return true
}

// LoadRules reads a rules file.
func LoadRules(path string) (*Rules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRules(b, path)
}

// ParseRules parses and checks rules; name is the file's name for messages.
// Every problem is reported at once, each with its line. Rules that could
// loop are refused: a rule may not set a field that a rule for the same
// records (type and module) triggers on, nor a read-only field, nor trigger
// on UpdatedAt (every change, a write-back's too, moves it).
func ParseRules(b []byte, name string) (*Rules, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // an empty file: no rules
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A second pass keeps each rule's line for the messages.
	var doc yaml.Node
	_ = yaml.Unmarshal(b, &doc)
	lines := ruleLines(&doc)

	var errs []string
	bad := func(line int, format string, a ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, a...)))
	}
	rs := &Rules{}
	for i, ry := range f.Rules {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		r := Rule{Name: ry.Name, Type: ry.Type, CategoryID: ry.CategoryID, Changed: strings.TrimSpace(ry.When.Changed),
			To: ry.When.To, Set: ry.Set, Line: line}
		if r.Name == "" {
			r.Name = "rule " + strconv.Itoa(i+1)
		}
		switch r.Type {
		case "Project", "Contact":
		case "":
			bad(line, "%s: type is required (Project or Contact)", r.Name)
		default:
			bad(line, "%s: type %q: want Project or Contact", r.Name, r.Type)
		}
		if r.CategoryID < 0 || r.CategoryID != 0 && r.Type == "Contact" {
			bad(line, "%s: category_id is only for cards (type: Project), and positive", r.Name)
		}
		switch {
		case r.Changed == "":
			bad(line, "%s: when.changed is required: the field whose change fires the rule", r.Name)
		case r.Changed == "UpdatedAt" || r.Changed == "UpdatedBy":
			bad(line, "%s: when.changed: %s moves with every change, a write-back's too; name the field that matters", r.Name, r.Changed)
		}
		if len(r.Set) == 0 {
			bad(line, "%s: set is empty: name the fields to write back", r.Name)
		}
		for _, k := range sortedKeys(r.Set) {
			if strings.TrimSpace(k) == "" {
				bad(line, "%s: set: an empty field name", r.Name)
			}
			if !writable(k) {
				bad(line, "%s: set: %s cannot be written", r.Name, k)
			}
		}
		rs.rules = append(rs.rules, r)
	}
	// The loop guard: no rule sets a field that fires a rule for the same
	// records. MiniCRM sends no notification for a write-back, but an
	// answer that changed a trigger field would fire again wherever it does
	// (an API write, another webhook of the system).
	for _, a := range rs.rules {
		for _, b := range rs.rules {
			if !overlap(a, b) {
				continue
			}
			if _, ok := a.Set[b.Changed]; ok && b.Changed != "" {
				if a.Name == b.Name && a.Line == b.Line {
					bad(a.Line, "%s: sets %s, the field it fires on: that could loop", a.Name, b.Changed)
				} else {
					bad(a.Line, "%s: sets %s, which fires %s (line %d): that could loop", a.Name, b.Changed, b.Name, b.Line)
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return rs, nil
}

func ruleLines(doc *yaml.Node) []int {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "rules" && top.Content[i+1].Kind == yaml.SequenceNode {
			var lines []int
			for _, r := range top.Content[i+1].Content {
				lines = append(lines, r.Line)
			}
			return lines
		}
	}
	return nil
}

// overlap reports whether two rules can apply to the same record.
func overlap(a, b Rule) bool {
	return a.Type == b.Type && (a.CategoryID == 0 || b.CategoryID == 0 || a.CategoryID == b.CategoryID)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Len is the number of rules.
func (rs *Rules) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.rules)
}

// Answer is what the rules decided for one notification.
type Answer struct {
	// Set is the write-back: field → value. Empty when nothing is to be
	// written.
	Set map[string]string
	// Fired names the rules whose conditions held.
	Fired []string
	// AlreadySet lists fields a fired rule wanted that already hold the
	// value: they are not sent, so the answer changes nothing twice.
	AlreadySet []string
}

// Evaluate applies the rules to a notification. now fills {today} and {now}.
// It is deterministic for a given payload and time, so a retry of a change
// gets the same answer.
func (rs *Rules) Evaluate(p *Payload, now time.Time) Answer {
	var a Answer
	if rs == nil {
		return a
	}
	decided := map[string]bool{}
	for _, r := range rs.rules {
		if !r.matches(p) {
			continue
		}
		a.Fired = append(a.Fired, r.Name)
		for _, k := range sortedKeys(r.Set) {
			if decided[k] {
				continue // an earlier rule decided this field
			}
			decided[k] = true
			v := expand(r.Set[k], now)
			if _, has := p.Data[k]; has && p.is(k, v) {
				a.AlreadySet = append(a.AlreadySet, k)
				continue
			}
			if a.Set == nil {
				a.Set = map[string]string{}
			}
			a.Set[k] = v
		}
	}
	return a
}

func (r Rule) matches(p *Payload) bool {
	if p.Type != r.Type || !p.hasChanged(r.Changed) {
		return false
	}
	if r.CategoryID != 0 && p.CategoryID() != strconv.Itoa(r.CategoryID) {
		return false
	}
	if len(r.To) == 0 {
		return true
	}
	have := strings.TrimSpace(p.Value(r.Changed))
	for _, want := range r.To {
		want = strings.TrimSpace(want)
		if want == have || p.is(r.Changed, want) {
			return true
		}
	}
	return false
}

// is reports whether a Data field holds v, compared in MiniCRM's canonical
// form (crm.Value): a dropdown by its id or its label, a multi-select by
// its bitmask or its labels in any order; other values as they are.
func (p *Payload) is(field, v string) bool {
	have := p.Value(field)
	if have == v {
		return true
	}
	f, _ := p.field(field)
	return crm.Value(f, v) == crm.Value(f, have)
}

// expand fills the placeholders of a value.
func expand(v string, now time.Time) string {
	if !strings.Contains(v, "{") {
		return v
	}
	return strings.NewReplacer("{today}", now.Format("2006-01-02"), "{now}", now.Format("2006-01-02 15:04:05")).Replace(v)
}
