package oracle

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Counts are how many records Links saw.
type Counts struct{ Companies, Persons, Cards int }

// Links describes a system by what identifies its records, ids left out:
// each company's VAT number, name and addresses, each person's company (by VAT
// number), each card's contact (by e-mail) and status; sorted. Two systems
// that hold the same companies, people, cards and links give the same
// lines, whichever path (REST, XML feed) made them.
func Links(ctx context.Context, c *restapi.Client) ([]string, Counts, error) {
	var n Counts
	vat := map[int]string{}
	email := map[int]string{}
	var lines []string
	type person struct {
		email string
		biz   int
	}
	var people []person
	for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			return nil, n, err
		}
		if it.Type == "Business" {
			d, err := c.Contacts.Get(ctx, it.Id)
			if err != nil {
				return nil, n, err
			}
			vat[it.Id] = mapping.VatKey(fmt.Sprint(d.Fields["VatNumber"]))
			lines = append(lines, "company "+vat[it.Id]+" "+it.Name)
			addrs, err := c.Addresses.List(ctx, it.Id)
			if err != nil {
				return nil, n, err
			}
			for _, a := range addrs {
				lines = append(lines, "address of "+vat[it.Id]+": "+a.Display)
			}
			n.Companies++
			continue
		}
		email[it.Id] = strings.ToLower(it.Email)
		people = append(people, person{strings.ToLower(it.Email), it.BusinessId})
		n.Persons++
	}
	for _, p := range people {
		lines = append(lines, "person "+p.email+" at "+vat[p.biz])
	}
	for it, err := range c.Projects.Search(ctx, restapi.ProjectSearchOptions{}) {
		if err != nil {
			return nil, n, err
		}
		lines = append(lines, fmt.Sprintf("card %s of %s status %d", it.Name, email[it.ContactId], it.StatusId))
		n.Cards++
	}
	sort.Strings(lines)
	return lines, n, nil
}
