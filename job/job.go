package job

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Job is a job file.
type Job struct {
	// Name names the job in the lock, the reports and the logs (default:
	// the file's name without .yaml).
	Name       string     `yaml:"name"`
	Connection Connection `yaml:"connection"`
	// State is the state directory shared by the steps (journal, mirror,
	// snapshots) and where the lock lives; Out the directory for the
	// reports and each step's outputs (a subdirectory per step). Relative
	// paths are relative to the job file.
	State string `yaml:"state"`
	Out   string `yaml:"out"`
	// RPM is the requests a minute the system allows (default 60).
	RPM   int    `yaml:"rpm"`
	Steps []Step `yaml:"steps"`

	path string // the job file
	dir  string
}

// Connection names the environment variables holding the connection: the
// file never holds a secret. APIKeyFile may name a file (chmod 600) instead
// of APIKeyEnv.
type Connection struct {
	URLEnv      string `yaml:"url_env"`
	SystemIDEnv string `yaml:"system_id_env"`
	APIKeyEnv   string `yaml:"api_key_env"`
	APIKeyFile  string `yaml:"api_key_file"`
	TestEnv     bool   `yaml:"test_env"`
	// Sandbox runs the job against an embedded sandbox with example data
	// (for trying a job file; nothing is kept).
	Sandbox bool `yaml:"sandbox"`
}

// Step is one step: exactly one of Import, Feed and Export.
type Step struct {
	Name   string      `yaml:"name"`
	Import *ImportStep `yaml:"import"`
	Feed   *FeedStep   `yaml:"feed"`
	Export *ExportStep `yaml:"export"`
	// ContinueOnError runs the next steps even if this one fails (rejected
	// rows never stop a job; a fatal error does unless this is set).
	ContinueOnError bool `yaml:"continue_on_error"`
}

// ImportStep imports a source with a mapping (see 'minicrm-bulk import').
type ImportStep struct {
	Mapping     string `yaml:"mapping"`
	Source      string `yaml:"source"`
	Resume      bool   `yaml:"resume"`
	FullRefresh bool   `yaml:"full_refresh"`
	Workers     int    `yaml:"workers"`
}

// FeedStep builds an XML sync feed and pushes it (see 'minicrm-bulk feed').
type FeedStep struct {
	Mapping     string `yaml:"mapping"`
	Source      string `yaml:"source"`
	ChangedOnly bool   `yaml:"changed_only"`
	FeedID      int    `yaml:"feed_id"`
	SourceURL   string `yaml:"source_url"`
	// NoPush only builds the feed.
	NoPush bool `yaml:"no_push"`
}

// ExportStep exports tables (see 'minicrm-bulk export').
type ExportStep struct {
	What        string `yaml:"what"` // contacts, businesses, persons, projects, todos or all
	Output      string `yaml:"output"`
	Details     bool   `yaml:"details"`
	Incremental bool   `yaml:"incremental"`
	Category    int    `yaml:"category"`
	Excel       bool   `yaml:"excel"`
	// ToDos adds the to-dos to what: all.
	ToDos bool `yaml:"todos"`
}

// Kind is the step's kind: import, feed or export.
func (s *Step) Kind() string {
	switch {
	case s.Import != nil:
		return "import"
	case s.Feed != nil:
		return "feed"
	case s.Export != nil:
		return "export"
	}
	return ""
}

// Path is the job file; Dir its directory.
func (j *Job) Path() string { return j.path }

// Abs resolves a path of the job file (relative to the file's directory).
func (j *Job) Abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(j.dir, p)
}

// envName is what an environment variable's name looks like.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Load reads and checks a job file. Every problem is reported at once,
// each with the file and the line.
func Load(path string) (*Job, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Problems are the mistakes of a job file.
type Problems []string

func (p Problems) Error() string {
	if len(p) == 1 {
		return "job file: " + p[0]
	}
	return fmt.Sprintf("job file has %d problems:\n  %s", len(p), strings.Join(p, "\n  "))
}

// Parse reads a job file's bytes; path names it in the messages and
// anchors its relative paths.
func Parse(path string, b []byte) (*Job, error) {
	var j Job
	var probs Problems
	add := func(line int, format string, a ...any) {
		probs = append(probs, fmt.Sprintf("%s:%d: %s", path, line, fmt.Sprintf(format, a...)))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		add(1, "the job file is empty")
		return nil, probs
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		add(yamlLine(err), "YAML: %s", yamlMsg(err))
		return nil, probs
	}
	rootLines := map[string]int{}
	recordLines(&root, "", rootLines)
	for _, k := range secretKeys(&root) {
		add(rootLines[k], "%s: a job file never holds a secret; name the environment variable holding it (connection.api_key_env) or a file (connection.api_key_file)", k)
	}
	if probs != nil {
		return nil, probs
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&j); err != nil {
		add(yamlLine(err), "YAML: %s", yamlMsg(err))
		return nil, probs
	}
	lines := rootLines
	line := func(key string) int {
		if l, ok := lines[key]; ok {
			return l
		}
		return 1
	}
	j.path, j.dir = path, filepath.Dir(path)
	if j.Name == "" {
		j.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if !regexp.MustCompile(`^[\pL\pN._-]+$`).MatchString(j.Name) {
		add(line("name"), "name %q: use letters, digits, '.', '_' and '-' (it names the lock and the reports)", j.Name)
	}
	j.checkConnection(add, line)
	if j.RPM < 0 {
		add(line("rpm"), "rpm must be positive")
	}
	if len(j.Steps) == 0 {
		add(line("steps"), "steps: a job needs at least one step (import, feed or export)")
	}
	j.checkSteps(add, line)
	seen := map[string]bool{}
	for i, s := range j.Steps {
		if seen[s.Name] {
			add(line(fmt.Sprintf("steps[%d].name", i)), "steps[%d].name %q: two steps have this name", i, s.Name)
		}
		seen[s.Name] = true
	}
	if probs != nil {
		return nil, probs
	}
	if j.State == "" {
		j.State = ".minicrm-bulk"
	}
	if j.Out == "" {
		j.Out = "runs"
	}
	j.State, j.Out = j.Abs(j.State), j.Abs(j.Out)
	for i := range j.Steps {
		s := &j.Steps[i]
		switch {
		case s.Import != nil:
			s.Import.Mapping, s.Import.Source = j.Abs(s.Import.Mapping), j.Abs(s.Import.Source)
		case s.Feed != nil:
			s.Feed.Mapping, s.Feed.Source = j.Abs(s.Feed.Mapping), j.Abs(s.Feed.Source)
		case s.Export != nil:
			s.Export.Output = j.Abs(s.Export.Output)
		}
	}
	j.Connection.APIKeyFile = j.Abs(j.Connection.APIKeyFile)
	return &j, nil
}

// problemFunc adds a problem at a line; lineFunc is the line of a key.
type (
	problemFunc func(line int, format string, a ...any)
	lineFunc    func(key string) int
)

// checkConnection checks the connection section.
func (j *Job) checkConnection(add problemFunc, line lineFunc) {
	c := j.Connection
	if c.Sandbox {
		if c.URLEnv != "" || c.SystemIDEnv != "" || c.APIKeyEnv != "" || c.APIKeyFile != "" || c.TestEnv {
			add(line("connection.sandbox"), "connection.sandbox: an embedded sandbox needs no other connection setting")
		}
	} else {
		for _, v := range []struct{ key, val string }{{"url_env", c.URLEnv}, {"system_id_env", c.SystemIDEnv}, {"api_key_env", c.APIKeyEnv}} {
			if v.val != "" && (!envName.MatchString(v.val) || looksLikeKey(v.val)) {
				msg := "connection.%s: %q is not an environment variable's name"
				if v.key == "api_key_env" {
					msg += "; never put the key itself in a job file: name the variable holding it (e.g. MINICRM_API_KEY) or use api_key_file"
				}
				add(line("connection."+v.key), msg, v.key, v.val)
			}
		}
		if c.APIKeyEnv != "" && c.APIKeyFile != "" {
			add(line("connection.api_key_file"), "connection: api_key_env or api_key_file, not both")
		}
	}
}

// checkSteps checks each step and names the unnamed ones.
func (j *Job) checkSteps(add problemFunc, line lineFunc) {
	for i := range j.Steps {
		s := &j.Steps[i]
		at := fmt.Sprintf("steps[%d]", i)
		n := 0
		for _, p := range []bool{s.Import != nil, s.Feed != nil, s.Export != nil} {
			if p {
				n++
			}
		}
		if n != 1 {
			add(line(at), "%s: a step is exactly one of import, feed and export", at)
			continue
		}
		if s.Name == "" {
			s.Name = fmt.Sprintf("%d-%s", i+1, s.Kind())
		}
		switch {
		case s.Import != nil:
			if s.Import.Mapping == "" {
				add(line(at+".import"), "%s.import.mapping is required", at)
			}
			if s.Import.Workers < 0 || s.Import.Workers > 64 {
				add(line(at+".import.workers"), "%s.import.workers must be between 1 and 64", at)
			}
		case s.Feed != nil:
			if s.Feed.Mapping == "" {
				add(line(at+".feed"), "%s.feed.mapping is required", at)
			}
			if !s.Feed.NoPush && (s.Feed.FeedID == 0) == (s.Feed.SourceURL == "") {
				add(line(at+".feed"), "%s.feed: say where to push: feed_id or source_url (or no_push: true)", at)
			}
		case s.Export != nil:
			if s.Export.What == "" || s.Export.Output == "" {
				add(line(at+".export"), "%s.export: what and output are required", at)
			}
			if s.Export.ToDos && !strings.EqualFold(strings.TrimSpace(s.Export.What), "all") {
				add(line(at+".export.todos"), "%s.export.todos is for what: all (to-dos alone: what: todos)", at)
			}
		}
	}
}

// looksLikeKey: a long mix of lower-case letters and digits is an API key
// (MiniCRM's are 32 such characters), not a variable's name.
func looksLikeKey(s string) bool {
	lower, digit := false, false
	for _, r := range s {
		lower = lower || (r >= 'a' && r <= 'z')
		digit = digit || (r >= '0' && r <= '9')
	}
	return len(s) >= 20 && lower && digit
}

// secretKeys finds keys that look like a secret given in clear (api_key,
// key, password, token) anywhere in the file.
func secretKeys(root *yaml.Node) []string {
	var out []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				switch strings.ToLower(k) {
				case "api_key", "apikey", "key", "password", "secret", "token":
					out = append(out, key)
				}
				walk(n.Content[i+1], key)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", prefix, i))
			}
		}
	}
	walk(root, "")
	return out
}

// recordLines records the line of every key (a.b[1].c) of a YAML tree.
func recordLines(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			recordLines(c, prefix, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if prefix != "" {
				key = prefix + "." + key
			}
			lines[key] = n.Content[i].Line
			recordLines(n.Content[i+1], key, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			lines[key] = c.Line
			recordLines(c, key, lines)
		}
	}
}

var yamlLineRE = regexp.MustCompile(`line (\d+):? ?`)

func yamlLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 1
}

func yamlMsg(err error) string {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLineRE.ReplaceAllString(msg, "")
	if i := strings.Index(msg, "not found in type job."); i >= 0 {
		msg = msg[:i] + "is not a known key in the " + strings.ToLower(msg[i+len("not found in type job."):]) + " section (a typo?)"
	}
	return msg
}
