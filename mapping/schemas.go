package mapping

import (
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Schemas is what a mapping is checked against: the modules and the field
// definitions of Person, Business, Address and the cards of the mapped
// module (crm.Schemas). The caller brings them: fetched through the API
// with crm.FetchSchemas(ctx, client, m.SchemaNeeds()), or read from a file
// saved for offline work (LoadSchemas). This package does no HTTP.
type Schemas = crm.Schemas

// LoadSchemas reads a schema file written by Schemas.Save (`minicrm-bulk
// schema all --save FILE`).
func LoadSchemas(path string) (*Schemas, error) { return crm.LoadSchemas(path) }

// SchemaNeeds says which schemas the mapping is checked against beyond
// Person and Business: Address when it maps an address, the card schema of
// its project's module. A nil mapping needs none.
func (m *Mapping) SchemaNeeds() crm.SchemaNeeds {
	var n crm.SchemaNeeds
	if m == nil {
		return n
	}
	n.Address = m.HasAddresses()
	if m.Project != nil {
		n.Category = m.Project.Category
	}
	return n
}
