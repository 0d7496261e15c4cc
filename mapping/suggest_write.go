package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// This file renders what SuggestSheet found as a mapping file, with its
// comments.

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// yamlQuoted always quotes (a template's braces need it).
func yamlQuoted(s string) string { return fmt.Sprintf("%q", s) }

// write renders the mapping.
func (g *sheetGuess) write(opts SheetOptions) string {
	var b strings.Builder
	det := g.smp.Detected
	what := "the whole sheet"
	if opts.Only != "" {
		what = "the " + opts.Only.key() + " columns (--entity " + opts.Only.key() + ")"
	}
	fmt.Fprintf(&b, "# Mapping written by `minicrm-bulk mapping init` for %s. Read it (the\n", what)
	fmt.Fprintf(&b, "# comments say what was guessed), then run\n")
	fmt.Fprintf(&b, "#   minicrm-bulk mapping check --mapping THIS_FILE\n")
	fmt.Fprintf(&b, "# %s\n", oneLine(opts.SourceFile+": "+readNote(det, g.smp)))
	fmt.Fprintf(&b, "source:\n  file: %s\n", yamlString(opts.SourceFile))
	if det.Format == "xlsx" || opts.Sheet != "" {
		sheet := opts.Sheet
		if sheet == "" {
			sheet = det.Sheet
		}
		fmt.Fprintf(&b, "  sheet: %s\n", yamlString(sheet))
	}
	if opts.HeaderRow > 0 {
		fmt.Fprintf(&b, "  header_row: %d\n", opts.HeaderRow)
	}
	for _, d := range []*draft{g.biz, g.person, g.card} {
		if d != nil {
			b.WriteByte('\n')
			g.writeDraft(&b, d, opts)
		}
	}
	if len(g.address) > 0 && g.addressOwner() == nil {
		b.WriteString("\n# Address columns, but no company or person to put them on:\n")
		for _, a := range g.address {
			fmt.Fprintf(&b, "#   %s: %s\n", a[0], oneLine(a[1]))
		}
	}
	if len(g.unmapped) > 0 {
		b.WriteString("\n# Columns not imported (no MiniCRM field found for them; map one by hand as\n")
		b.WriteString("# FieldName: {column: …} under the section it belongs to):\n")
		for _, i := range g.unmapped {
			fmt.Fprintf(&b, "#   %s\n", oneLine(g.header(i)))
		}
	}
	if g.cardHint != "" {
		fmt.Fprintf(&b, "\n# %s looks like the stage of a sale: run init again with --category MODULE (see\n", oneLine(g.cardHint))
		b.WriteString("# `minicrm-bulk categories`) to put each row's stage and values on a card of that module.\n")
	}
	if g.biz == nil && g.person == nil && g.card == nil {
		b.WriteString("\n# No column names a company, a person or a card: map one by hand (see docs/mapping.md).\n")
	}
	return b.String()
}

func readNote(det source.Detected, smp *Sample) string {
	n := fmt.Sprintf("%d rows read", smp.N)
	if !smp.All {
		n = fmt.Sprintf("the first %d rows read", smp.N)
	}
	if smp.RowErrors > 0 {
		n += fmt.Sprintf(" (and %d that could not be read: `mapping check` lists them)", smp.RowErrors)
	}
	return fmt.Sprintf("%s; %s.", det, n)
}

func (g *sheetGuess) writeDraft(b *strings.Builder, d *draft, opts SheetOptions) {
	fmt.Fprintf(b, "%s:\n", d.kind.key())
	if d.kind == KindProject {
		fmt.Fprintf(b, "  category: %s\n", yamlString(opts.Category))
	}
	line := func(text, comment string) {
		if comment != "" {
			text += "   # " + oneLine(comment)
		}
		b.WriteString(text + "\n")
	}
	line("  match: ["+strings.Join(d.match, ", ")+"]", d.matchNote)
	if d.externalID != "" {
		line("  external_id: "+d.externalID, "the MiniCRM field holding the sheet's id")
	}
	if d.link != "" {
		line("  link: "+d.link, d.linkNote)
	}
	b.WriteString("  fields:\n")
	for _, f := range d.fields {
		if f.block == nil {
			line("    "+f.name+": "+f.spec, f.comment)
			continue
		}
		line("    "+f.name+":", f.comment)
		for _, l := range f.block {
			b.WriteString("      " + l + "\n")
		}
	}
	for _, req := range requiredForCreate[d.kind] {
		if !d.has(req) {
			fmt.Fprintf(b, "    # %s: {const: ...}   # required to create a %s: map a column or set a constant\n", req, strings.ToLower(string(d.kind)))
		}
	}
	if len(g.address) > 0 && g.addressOwner() == d {
		g.writeAddress(b)
	}
	sort.Strings(d.notes)
	for _, n := range d.notes {
		fmt.Fprintf(b, "  # %s\n", oneLine(n))
	}
}

// addressOwner is the section the sheet's address columns belong to: the
// company when there is one, else the person.
func (g *sheetGuess) addressOwner() *draft {
	if g.biz != nil {
		return g.biz
	}
	return g.person
}

// writeAddress writes the address: block (docs/addresses.md). The Type is
// the registered office (Székhely) for a company, the mailing address for a
// person; the country is Hungary unless a column gives it.
func (g *sheetGuess) writeAddress(b *strings.Builder) {
	typ := "Székhely"
	if g.addressOwner() == g.person {
		typ = "Levelezési cím"
	}
	b.WriteString("  address:   # " + g.addrOf + " address (MiniCRM keeps addresses apart from the fields): check the Type with `minicrm-bulk schema Address`\n")
	b.WriteString("    Type: {const: " + typ + "}\n")
	has := map[string]bool{}
	for _, a := range g.address {
		has[a[0]] = true
	}
	if !has["Country"] {
		b.WriteString("    Country: {const: Magyarország}   # no country column: Hungary assumed\n")
	}
	for _, part := range []string{"Country", "County", "PostalCode", "City", "Address"} {
		for _, a := range g.address {
			if a[0] == part {
				b.WriteString("    " + part + ": {column: " + yamlString(a[1]) + "}\n")
				break
			}
		}
	}
}
