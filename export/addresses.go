package export

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
)

// AddressesConfig is what ExportAddresses needs; Client and Output are
// required.
type AddressesConfig struct {
	Client *restapi.Client
	// ContactType limits the export to "Business" or "Person" contacts;
	// empty exports both.
	ContactType string
	// Output is the file to write; Format its format (default: from the
	// extension).
	Output string
	Format Format
	CSV    CSVOptions
	// Workers is the number of contacts read at a time (default 4): with
	// latency, several requests in flight keep the rate limit saturated.
	Workers int
	// Progress, when set, is called after each contact written with the
	// number of contacts done and of those listed so far (the listing, 100
	// contacts a request, runs a little ahead of the reads, so this is
	// the total only at the end).
	Progress func(done, total int)
}

// AddressesSummary says what ExportAddresses did.
type AddressesSummary struct {
	Contacts  int // contacts listed
	Addresses int // rows written
	Requests  int // API requests made
	Paths     []string
}

// Text is the summary as the command prints it.
func (s *AddressesSummary) Text() string {
	return fmt.Sprintf("addresses: %d rows from %d contacts (%d requests) → %v\n", s.Addresses, s.Contacts, s.Requests, s.Paths)
}

// addressColumns are the columns of an address export: the address's
// detail record and its contact's name and type.
var addressColumns = []Column{
	{Name: "Id", Kind: ColInt, IsID: true}, {Name: "ContactId", Kind: ColInt, IsID: true},
	{Name: "ContactName"}, {Name: "ContactType"}, {Name: "Type"}, {Name: "Name"}, {Name: "Default", Kind: ColInt},
	{Name: "Country"}, {Name: "PostalCode"}, {Name: "City"}, {Name: "County"}, {Name: "Address"},
	{Name: "CreatedAt", Kind: ColDateTime}, {Name: "UpdatedAt", Kind: ColDateTime},
}

// ExportAddresses writes every address of every contact (or of the
// contacts of one type) to one table, "addresses", in the order MiniCRM
// lists the contacts (by Id) and by address Id within a contact. MiniCRM
// has no address search: it lists the contacts (100 a page), reads each
// contact's AddressList and each address's detail, so it costs one request
// per contact and one per address, plus the listing. It streams: the
// listing runs at most a few contacts ahead of the reads, and a contact's
// addresses are written as soon as those of the contacts before it are, so
// memory does not grow with the system. The file is written atomically: an
// interrupted export leaves the previous file as it was.
func ExportAddresses(ctx context.Context, cfg AddressesConfig) (*AddressesSummary, error) {
	if cfg.Client == nil || cfg.Output == "" {
		return nil, errors.New("export: addresses: Client and Output are required")
	}
	switch cfg.ContactType {
	case "", "Business", "Person":
	default:
		return nil, fmt.Errorf("export: addresses: contact type %q: want Business or Person", cfg.ContactType)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Format == "" {
		cfg.Format = FormatOf(cfg.Output)
	}
	before := cfg.Client.Stats().Attempts
	sum := &AddressesSummary{}

	var w Writer
	var err error
	if cfg.Format == XLSX {
		if w, err = NewXLSXWriter(cfg.Output); err != nil {
			return sum, err
		}
	} else {
		w = NewCSVWriter(cfg.Output, false, cfg.CSV)
	}
	err = w.Table("addresses", addressColumns)
	if err == nil {
		err = streamAddresses(ctx, cfg, w, sum)
	}
	sum.Requests = requestsSince(cfg.Client, before)
	if err != nil {
		w.Abort()
		return sum, err
	}
	if err := w.Close(); err != nil {
		return sum, err
	}
	sum.Paths = w.Paths()
	return sum, nil
}

func requestsSince(c *restapi.Client, before int) int { return c.Stats().Attempts - before }

// addressRow is one address and its contact.
type addressRow struct {
	contact restapi.ContactItem
	addr    *restapi.Address
}

// contactRows are the addresses of the contact listed seq-th (from 0).
type contactRows struct {
	seq  int
	rows []addressRow
	err  error
}

// aheadPerWorker bounds how far the listing runs ahead of the writing:
// at most this many contacts a worker listed and not yet written.
const aheadPerWorker = 4

// streamAddresses lists the contacts, reads their addresses with
// cfg.Workers goroutines and writes them to w in listing order, counting
// into sum; the first error stops the rest.
func streamAddresses(ctx context.Context, cfg AddressesConfig, w Writer, sum *AddressesSummary) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		seq     int
		contact restapi.ContactItem
	}
	jobs := make(chan job)
	results := make(chan contactRows, cfg.Workers)
	window := make(chan struct{}, aheadPerWorker*cfg.Workers) // a slot a contact listed and not yet written
	var (
		listed   atomic.Int64
		listErr  error
		listDone = make(chan struct{})
		workers  sync.WaitGroup
	)
	go func() {
		defer close(listDone)
		defer close(jobs)
		seq := 0
		for c, err := range cfg.Client.Contacts.Search(ctx, restapi.ContactSearchOptions{Type: cfg.ContactType}) {
			if err != nil {
				if ctx.Err() == nil { // not stopped by a failed read
					listErr = fmt.Errorf("listing contacts: %w", err)
					cancel()
				}
				return
			}
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			listed.Add(1)
			select {
			case jobs <- job{seq, c}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	}()
	for range cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				rows, err := contactAddresses(ctx, cfg.Client, j.contact)
				select {
				case results <- contactRows{j.seq, rows, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { workers.Wait(); close(results) }()

	var order rowflow.Reorder[contactRows]
	var firstErr error
	done := 0
	for r := range results {
		if firstErr != nil {
			continue // let the workers go
		}
		order.Put(r.seq, r)
		for next, ok := order.Next(); ok; next, ok = order.Next() {
			if next.err != nil {
				firstErr = next.err
				cancel()
				break
			}
			if err := writeAddressRows(w, next.rows); err != nil {
				firstErr = err
				cancel()
				break
			}
			sum.Addresses += len(next.rows)
			done++
			<-window
			if cfg.Progress != nil {
				cfg.Progress(done, int(listed.Load()))
			}
		}
	}
	<-listDone
	sum.Contacts = int(listed.Load())
	switch {
	case listErr != nil:
		return listErr // the reads it stopped failed with it
	case firstErr != nil:
		return firstErr
	}
	return ctx.Err()
}

func contactAddresses(ctx context.Context, c *restapi.Client, contact restapi.ContactItem) ([]addressRow, error) {
	list, err := c.Addresses.ListStructured(ctx, contact.Id)
	if err != nil {
		return nil, fmt.Errorf("contact %d: %w", contact.Id, err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Id < list[j].Id })
	rows := make([]addressRow, 0, len(list))
	for _, s := range list {
		a, err := c.Addresses.Get(ctx, s.Id)
		if err != nil {
			return nil, fmt.Errorf("contact %d: address %d: %w", contact.Id, s.Id, err)
		}
		rows = append(rows, addressRow{contact: contact, addr: a})
	}
	return rows, nil
}

// writeAddressRows writes a contact's addresses as rows of the table.
func writeAddressRows(w Writer, rows []addressRow) error {
	cells := make([]Cell, len(addressColumns))
	for _, r := range rows {
		a := r.addr
		def := int64(0)
		if a.Default {
			def = 1
		}
		vals := []Cell{intCell(int64(a.Id)), intCell(int64(a.ContactId)), textCell(r.contact.Name), textCell(r.contact.Type),
			textCell(a.Type), textCell(a.Name), intCell(def), textCell(a.CountryId), textCell(a.PostalCode), textCell(a.City),
			textCell(a.County), textCell(a.Address), timeCell(a.CreatedAt), timeCell(a.UpdatedAt)}
		copy(cells, vals)
		if err := w.Row(cells); err != nil {
			return err
		}
	}
	return nil
}

func textCell(s string) Cell {
	if s == "" {
		return Cell{Kind: CellEmpty}
	}
	return Cell{Kind: CellText, Text: s}
}

func intCell(n int64) Cell { return Cell{Kind: CellInt, Int: n, Text: strconv.FormatInt(n, 10)} }

// timeCell turns MiniCRM's "2006-01-02 15:04:05" (Hungarian local time)
// into a date-time cell; anything else stays text.
func timeCell(s string) Cell {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
	if err != nil {
		return textCell(s)
	}
	return Cell{Kind: CellDateTime, Time: t, Text: s}
}

// The default address as columns of contact tables with details. MiniCRM's
// contact detail has no address: the export reads the contact's AddressList
// and then the detail of its addresses, in Id order, until the default one
// (two requests for a contact with one address, one for a contact without
// any). They are read with the contact's detail, kept with it in the
// snapshot and the system cache, and read again when the contact's detail
// is: an address changed while its contact did not is not seen by an
// incremental run (MiniCRM's contact list does not show it changed) until
// --full-refresh.

// contactAddressColumns are the default address's columns (API names of
// the address's fields; CountryId is written as Country).
var contactAddressColumns = []string{"Country", "PostalCode", "City", "County", "Address"}

// Values keys of the default address in a contact's snapshot record.
const (
	addrPrefix = "addr/"
	// addrRead marks a detail read with its addresses ("1").
	addrRead = addrPrefix + "read"
)

// defaultAddress reads a contact's default address into its values.
func (r *run) defaultAddress(ctx context.Context, id int, vals map[string]string) error {
	list, err := r.c.Addresses.List(ctx, id)
	if err != nil {
		return fmt.Errorf("contact %d: its addresses: %w", id, err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Id < list[j].Id })
	for _, s := range list {
		a, err := r.c.Addresses.Get(ctx, s.Id)
		if err != nil {
			return fmt.Errorf("contact %d: address %d: %w", id, s.Id, err)
		}
		if a.Default || len(list) == 1 {
			for k, v := range map[string]string{"Country": a.CountryId, "PostalCode": a.PostalCode, "City": a.City,
				"County": a.County, "Address": a.Address} {
				vals[addrPrefix+k] = v
			}
			break
		}
	}
	vals[addrRead] = "1"
	return nil
}
