package crm

import "github.com/minicrm-bulk/minicrm-bulk/restapi"

// Entity is a kind of MiniCRM record: "Business", "Person" or "Project"
// (a card).
type Entity string

// The entities.
const (
	Business Entity = "Business"
	Person   Entity = "Person"
	Project  Entity = "Project"
)

// Role says who sets a field. The field's type and a dropdown's options
// come from the entity's schema; the role is what the schema does not say.
// A name has the same role in every entity (MiniCRM's system fields share
// their names), so RoleOf needs no entity.
type Role uint8

// The roles of fields.
const (
	// Data is an ordinary field: mappings, feeds and write-backs set it.
	Data Role = iota
	// Computed fields are filled in by MiniCRM (ids, audit times, a card's
	// hash and e-mail address, a webhook's links): a write is refused or
	// ignored.
	Computed
	// Fixed fields are set when a record is created and never change: a
	// contact's Type (Business or Person), a card's module (CategoryId).
	Fixed
	// Link fields attach a record to another: a person's company
	// (BusinessId), a card's contact (ContactId). The import sets them
	// from the links between a row's records.
	Link
	// Trash is Deleted: set by trashing or restoring a record, not as a
	// value.
	Trash
	// Tags are the record's tags: a list kept apart from its values.
	Tags
)

// roles are the fields that are not Data.
var roles = map[string]Role{
	"Id": Computed, "CreatedAt": Computed, "CreatedBy": Computed, "UpdatedAt": Computed, "UpdatedBy": Computed,
	// A card's.
	"StatusUpdatedAt": Computed, "ProjectHash": Computed, "ProjectEmail": Computed,
	// ParentId: a person's company as older answers show it (BusinessId
	// sets it); InternalUrl and MainContactId: in webhook notifications.
	"ParentId": Computed, "InternalUrl": Computed, "MainContactId": Computed,

	"Type": Fixed, "CategoryId": Fixed,
	"BusinessId": Link, "ContactId": Link,
	"Deleted": Trash,
	"Tags":    Tags,
}

// RoleOf returns the role of a field.
func RoleOf(name string) Role { return roles[name] }

// Catalogue is the field catalogue of one system: each entity's fields with
// their types, dropdown options (from its schema) and roles.
type Catalogue struct {
	schemas map[Entity]*restapi.Schema
}

// NewCatalogue makes the catalogue of the given schemas; an entity may be
// missing (its fields are then of unknown type).
func NewCatalogue(schemas map[Entity]*restapi.Schema) *Catalogue {
	return &Catalogue{schemas: schemas}
}

// Field is one field of an entity: its schema definition and its role.
type Field struct {
	restapi.SchemaField
	Role Role
}

// Field returns a field of an entity. A field the schema does not know
// (or an entity without a schema) has only its name and role, Kind "".
func (c *Catalogue) Field(e Entity, name string) Field {
	if c != nil {
		if s := c.schemas[e]; s != nil {
			if f, ok := s.Field(name); ok {
				return Field{SchemaField: f, Role: RoleOf(name)}
			}
		}
	}
	return Field{SchemaField: restapi.SchemaField{Name: name}, Role: RoleOf(name)}
}

// Schema returns an entity's schema, nil when not at hand.
func (c *Catalogue) Schema(e Entity) *restapi.Schema {
	if c == nil {
		return nil
	}
	return c.schemas[e]
}
