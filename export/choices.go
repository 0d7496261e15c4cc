package export

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Choices are an export's settings as a person types them (the export
// command's argument and flags), before they are checked and turned into
// a Config.
type Choices struct {
	What                      string // contacts, …, all
	Format, Columns, Headers  string
	Since, Until              string // days, YYYY-MM-DD
	Addresses, AddressesGiven bool   // --addresses, and whether it was given
	ToDos                     bool
}

// Apply checks the choices against each other and against c (whose
// Output, CSV, FromChanges, Items and Status are already set) and fills in
// c's entities, format, columns, headers and dates. Its errors are the
// user's to fix.
func (ch Choices) Apply(c *Config) (err error) {
	if c.Entities, err = ParseEntity(ch.What); err != nil {
		return err
	}
	c.PerModule = strings.EqualFold(strings.TrimSpace(ch.What), "all")
	c.Addresses = ch.Addresses && (!c.PerModule || ch.AddressesGiven)
	switch {
	case ch.ToDos && !c.PerModule:
		return errors.New("--todos is for 'export all' (to-dos alone: export todos)")
	case ch.ToDos:
		c.Entities = slices.Clone(WithToDos)
	}
	if c.Output == "" {
		return errors.New("-o is required: the file to write")
	}
	if c.Format, err = ParseFormat(ch.Format, c.Output, c.CSV); err != nil {
		return err
	}
	if fi, err := os.Stat(c.FromChanges); c.FromChanges != "" && (err != nil || !fi.IsDir()) {
		return fmt.Errorf("--from-changes %s: not a directory", c.FromChanges)
	}
	if c.Columns, err = ParseColumns(ch.Columns); err != nil {
		return err
	}
	if c.Headers, err = ParseHeaders(ch.Headers); err != nil {
		return err
	}
	docs := c.Entities[0] == Invoices || c.Entities[0] == Orders || c.Entities[0] == Offers
	if !docs && (c.Items || ch.Since != "" || ch.Until != "" || c.Status != "") {
		return errors.New("--items, --since, --until and --status are for invoices, orders and offers")
	}
	for _, d := range []struct {
		flag, v string
		t       *time.Time
	}{{"--since", ch.Since, &c.Since}, {"--until", ch.Until, &c.Until}} {
		if d.v == "" {
			continue
		}
		if *d.t, err = time.Parse("2006-01-02", d.v); err != nil {
			return fmt.Errorf("%s %q: want a day as YYYY-MM-DD", d.flag, d.v)
		}
	}
	if !c.Since.IsZero() && !c.Until.IsZero() && c.Until.Before(c.Since) {
		return fmt.Errorf("--until %s is before --since %s", ch.Until, ch.Since)
	}
	return nil
}

// ParseFormat is the format asked for (csv or xlsx), or without one the
// format out's extension says.
func ParseFormat(format, out string, csv CSVOptions) (Format, error) {
	f := Format(strings.ToLower(format))
	switch f {
	case "":
		f = FormatOf(out)
	case CSV, XLSX:
	default:
		return "", errors.New("--format: want csv or xlsx")
	}
	if f == XLSX && (csv.Excel || csv.RawFormulas) {
		return "", errors.New("--excel and --raw-formulas are for CSV")
	}
	return f, nil
}

// ParseContactType reads "business(es)" or "person(s)", any case, as the
// contact Type MiniCRM writes; "" stays "" (both).
func ParseContactType(s string) (string, error) {
	switch strings.ToLower(s) {
	case "":
		return "", nil
	case "business", "businesses":
		return "Business", nil
	case "person", "persons":
		return "Person", nil
	}
	return "", errors.New("--contact-type: want Business or Person")
}
