package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// address is a contact's address. A contact with addresses has exactly one
// default address: its first, until another is made the default.
type address struct {
	Id         int       `json:"Id"`
	ContactId  int       `json:"ContactId"`
	Type       int       `json:"Type"` // an addressTypes id; 0: none
	Name       string    `json:"Name"`
	Country    string    `json:"Country"` // the English name, as live systems answer ("Hungary")
	PostalCode string    `json:"PostalCode"`
	City       string    `json:"City"`
	County     string    `json:"County"`
	Address    string    `json:"Address"`
	Default    int       `json:"Default"`
	CreatedBy  int       `json:"CreatedBy"`
	CreatedAt  time.Time `json:"CreatedAt"`
	UpdatedBy  int       `json:"UpdatedBy"`
	UpdatedAt  time.Time `json:"UpdatedAt"`
}

// addressType is one value of an address's Type. MAN25 names Headquarter /
// Székhely / HQ as an example and says the value must come from the
// schema; the sandbox's schema (GET /Api/R3/Schema/Address) lists these.
type addressType struct {
	Id      int
	Hu, En  string
	Aliases []string
}

var addressTypes = []addressType{
	{Id: 1, Hu: "Székhely", En: "Headquarter", Aliases: []string{"HQ", "Headquarters"}},
	{Id: 2, Hu: "Telephely", En: "Site"},
	{Id: 3, Hu: "Számlázási cím", En: "Billing address"},
	{Id: 4, Hu: "Szállítási cím", En: "Shipping address"},
	{Id: 5, Hu: "Levelezési cím", En: "Mailing address"},
	{Id: 6, Hu: "Egyéb", En: "Other"},
}

func addressTypeByValue(v string) (addressType, bool) {
	v = strings.TrimSpace(v)
	if id, err := strconv.Atoi(v); err == nil {
		for _, t := range addressTypes {
			if t.Id == id {
				return t, true
			}
		}
		return addressType{}, false
	}
	for _, t := range addressTypes {
		if strings.EqualFold(v, t.Hu) || strings.EqualFold(v, t.En) {
			return t, true
		}
		for _, a := range t.Aliases {
			if strings.EqualFold(v, a) {
				return t, true
			}
		}
	}
	return addressType{}, false
}

func addressTypeLabel(lang string, id int) string {
	for _, t := range addressTypes {
		if t.Id == id {
			if lang == "en" {
				return t.En
			}
			return t.Hu
		}
	}
	return ""
}

func addressTypeNames() string {
	var names []string
	for _, t := range addressTypes {
		names = append(names, t.Hu+"/"+t.En)
	}
	return strings.Join(names, ", ")
}

// country is one entry of the country list. Address.CountryId is a country
// *name* on live systems ("Hungary", "Romania"); the seeds' orders send
// "36" for Hungary, MiniCRM's numeric id (the calling code).
type country struct {
	Id      int
	ISO     string
	En, Hu  string
	Aliases []string
}

var countries = []country{
	{36, "HU", "Hungary", "Magyarország", nil},
	{40, "RO", "Romania", "Románia", nil},
	{421, "SK", "Slovakia", "Szlovákia", nil},
	{43, "AT", "Austria", "Ausztria", nil},
	{49, "DE", "Germany", "Németország", nil},
	{385, "HR", "Croatia", "Horvátország", nil},
	{381, "RS", "Serbia", "Szerbia", nil},
	{386, "SI", "Slovenia", "Szlovénia", nil},
	{380, "UA", "Ukraine", "Ukrajna", nil},
	{420, "CZ", "Czech Republic", "Csehország", []string{"Czechia"}},
	{48, "PL", "Poland", "Lengyelország", nil},
	{39, "IT", "Italy", "Olaszország", nil},
	{33, "FR", "France", "Franciaország", nil},
	{34, "ES", "Spain", "Spanyolország", nil},
	{31, "NL", "Netherlands", "Hollandia", []string{"Netherland", "Holland"}},
	{32, "BE", "Belgium", "Belgium", nil},
	{41, "CH", "Switzerland", "Svájc", nil},
	{44, "GB", "United Kingdom", "Egyesült Királyság", []string{"UK", "Great Britain", "Nagy-Britannia"}},
	{353, "IE", "Ireland", "Írország", nil},
	{1, "US", "United States", "Egyesült Államok", []string{"USA", "Amerikai Egyesült Államok"}},
}

func countryByValue(v string) (country, bool) {
	v = strings.TrimSpace(v)
	if id, err := strconv.Atoi(v); err == nil {
		for _, c := range countries {
			if c.Id == id {
				return c, true
			}
		}
		return country{}, false
	}
	f := fold(v)
	for _, c := range countries {
		if strings.EqualFold(v, c.ISO) || f == fold(c.En) || f == fold(c.Hu) {
			return c, true
		}
		for _, a := range c.Aliases {
			if f == fold(a) {
				return c, true
			}
		}
	}
	return country{}, false
}

// The address fields and their limits; the labels name them in errors.
var addressFields = map[string]fieldDef{
	"Name":       {Name: "Name", Label: "Név", Kind: kindText, Max: 255},
	"PostalCode": {Name: "PostalCode", Label: "Irányítószám", Kind: kindText, Max: 32},
	"City":       {Name: "City", Label: "Település", Kind: kindText, Max: 128},
	"County":     {Name: "County", Label: "Megye", Kind: kindText, Max: 128},
	"Address":    {Name: "Address", Label: "Cím", Kind: kindText, Max: 512},
}

// text is the address on one line: "1123 Budapest, Alkotás u. 49., Pest,
// Hungary", leaving out what is empty.
func (a *address) text() string {
	var parts []string
	if pc := strings.TrimSpace(a.PostalCode + " " + a.City); pc != "" {
		parts = append(parts, pc)
	}
	for _, s := range []string{a.Address, a.County, a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func addressURL(base string, id int) string { return base + "/Api/R3/Address/" + strconv.Itoa(id) }

func addressDetail(st *store, a *address) *object {
	return newObject().set("Id", a.Id).set("ContactId", a.ContactId).set("Type", addressTypeLabel(st.lang, a.Type)).
		set("Name", a.Name).set("CountryId", a.Country).set("PostalCode", a.PostalCode).set("City", a.City).
		set("County", a.County).set("Address", a.Address).set("Default", a.Default).
		set("CreatedBy", st.userName(a.CreatedBy)).set("CreatedAt", formatTime(a.CreatedAt)).
		set("UpdatedBy", st.userName(a.UpdatedBy)).set("UpdatedAt", formatTime(a.UpdatedAt))
}

// placeAddress applies the default-address rule to a new address: it is
// the default when asked for or when its contact has no default yet.
func (s *store) placeAddress(a *address, wantDefault bool) {
	hasDefault := false
	for _, o := range s.cat.addresses {
		if o.Id != a.Id && o.ContactId == a.ContactId && o.Default == 1 {
			hasDefault = true
		}
	}
	if wantDefault || !hasDefault {
		s.makeDefault(a)
	}
}

// makeDefault makes a its contact's default address, and no other.
func (s *store) makeDefault(a *address) {
	for _, o := range s.cat.addresses {
		if o.ContactId == a.ContactId && o.Id != a.Id {
			o.Default = 0
		}
	}
	a.Default = 1
}

// GET /Api/R3/Schema/Address: the address fields, Type as its id → label
// map (the values a write may use, by id or label).
func getAddressSchema(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, t := range addressTypes {
		types[strconv.Itoa(t.Id)] = addressTypeLabel(st.lang, t.Id)
	}
	return newObject().set("Id", "Int").set("ContactId", "Int").set("Type", types).set("Name", "Text(255)").
		set("CountryId", "Text(128)").set("PostalCode", "Text(32)").set("City", "Text(128)").set("County", "Text(128)").
		set("Address", "Text(512)").set("Default", "Int").set("CreatedBy", usersMap(st)).set("CreatedAt", "DateTime").
		set("UpdatedBy", usersMap(st)).set("UpdatedAt", "DateTime"), nil
}

// GET /Api/R3/Address/<Id>.
func getAddress(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	a, ok := st.cat.addresses[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	return addressDetail(st, a), nil
}

// GET /Api/R3/AddressList/<ContactId>: {"Results": {"<Id>": "<Name>
// (<address>)"}, "Count": N}; with Structured=1 each value is {Id,
// Address, Url}. MAN25 puts Results before Count.
func getAddressList(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(k string) bool { return k == "Structured" }); err != nil {
		return nil, err
	}
	if _, ok := st.contacts[r.ids[0]]; !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	structured := false
	switch v := r.query.Get("Structured"); v {
	case "", "0":
	case "1":
		structured = true
	default:
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "Structured", v))
	}
	res := newObject()
	n := 0
	for _, id := range sortedIDs(st.cat.addresses) {
		a := st.cat.addresses[id]
		if a.ContactId != r.ids[0] {
			continue
		}
		n++
		if structured {
			res.set(strconv.Itoa(a.Id), newObject().set("Id", a.Id).set("Address", a.text()).set("Url", addressURL(r.base, a.Id)))
		} else {
			res.set(strconv.Itoa(a.Id), a.Name+" ("+a.text()+")")
		}
	}
	out := newObject()
	if n == 0 {
		out.set("Results", []any{}) // PHP's empty array, as every empty list
	} else {
		out.set("Results", res)
	}
	return out.set("Count", n), nil
}

// PUT /Api/R3/Address: create. ContactId and Name are required.
func createAddress(s *Server, r *request) (any, error) {
	st := s.st
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	if v, has := body["Id"]; has && idOrZero(v) != 0 {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "Id"))
	}
	v, has := body["ContactId"]
	if !has || strings.TrimSpace(scalarString(v)) == "" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "ContactId"))
	}
	cid, ok := idOf(v)
	if _, exists := st.contacts[cid]; !ok || !exists {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "not_contact", idOrZero(v)))
	}
	now := s.clock()
	a := &address{ContactId: cid, CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now}
	wantDefault, _, err := applyAddress(st, a, body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.Name) == "" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "Name"))
	}
	if wantDefault != nil && !*wantDefault && !st.contactHasAddress(cid) {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "default_needed"))
	}
	a.Id = st.newID()
	st.cat.addresses[a.Id] = a
	st.placeAddress(a, wantDefault != nil && *wantDefault)
	return map[string]int{"Id": a.Id}, nil
}

func (s *store) contactHasAddress(contactID int) bool {
	for _, a := range s.cat.addresses {
		if a.ContactId == contactID {
			return true
		}
	}
	return false
}

// PUT /Api/R3/Address/<Id>: update the fields sent. ContactId cannot
// change (the official client drops it); Default: 1 makes this the
// contact's default address, Default: 0 on the default one is refused (a
// contact with addresses always has a default: make another one default).
func updateAddress(s *Server, r *request) (any, error) {
	st := s.st
	a, ok := st.cat.addresses[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	if v, has := body["Id"]; has && idOrZero(v) != 0 && idOrZero(v) != a.Id {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "Id"))
	}
	if v, has := body["ContactId"]; has && idOrZero(v) != a.ContactId {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "ContactId"))
	}
	cp := *a
	wantDefault, changed, err := applyAddress(st, &cp, body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cp.Name) == "" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "Name"))
	}
	if wantDefault != nil && !*wantDefault && a.Default == 1 {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "default_needed"))
	}
	if wantDefault != nil && *wantDefault && a.Default == 0 {
		changed = true
	}
	if changed {
		cp.UpdatedAt, cp.UpdatedBy = s.clock(), st.apiUser()
		*a = cp
		if wantDefault != nil && *wantDefault {
			st.makeDefault(a)
		}
	}
	return map[string]int{"Id": a.Id}, nil
}

// applyAddress writes body fields onto a. It returns the Default asked
// for (nil when not sent), leaving the rule to the callers.
func applyAddress(st *store, a *address, body map[string]any) (*bool, bool, error) {
	changed := false
	var wantDefault *bool
	for k, v := range body {
		switch k {
		case "Id", "ContactId", "CreatedBy", "CreatedAt", "UpdatedBy", "UpdatedAt":
			// checked by the callers, or read-only and echoed back
		case "Type":
			id := 0
			if s := strings.TrimSpace(scalarString(v)); s != "" {
				t, ok := addressTypeByValue(s)
				if !ok {
					return nil, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Típus"))
				}
				id = t.Id
			}
			if id != a.Type {
				a.Type, changed = id, true
			}
		case "CountryId", "Country":
			name := ""
			if s := strings.TrimSpace(scalarString(v)); s != "" {
				c, ok := countryByValue(s)
				if !ok {
					return nil, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Ország"))
				}
				name = c.En
			}
			if name != a.Country {
				a.Country, changed = name, true
			}
		case "Default":
			n, err := fieldDef{Name: k, Label: "Default", Kind: kindInt}.normalize(v, st.lang)
			if err != nil || (n.(int64) != 0 && n.(int64) != 1) {
				return nil, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Default"))
			}
			b := n.(int64) == 1
			wantDefault = &b
		default:
			d, ok := addressFields[k]
			if !ok {
				return nil, false, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
			}
			nv, err := d.normalize(v, st.lang)
			if err != nil {
				return nil, false, errf(http.StatusBadRequest, err.Error())
			}
			s := strings.TrimSpace(nv.(string))
			dst := map[string]*string{"Name": &a.Name, "PostalCode": &a.PostalCode, "City": &a.City,
				"County": &a.County, "Address": &a.Address}[k]
			if *dst != s {
				*dst, changed = s, true
			}
		}
	}
	return wantDefault, changed, nil
}

func init() {
	messages["default_needed"] = [2]string{
		"Az alapértelmezett cím nem szüntethető meg: jelöljön meg helyette egy másik címet alapértelmezettnek.",
		"A contact's default address cannot be unset: make another address the default instead."}
	messages["read_only"] = [2]string{"A(z) %s API-n keresztül nem módosítható.", "%s cannot be changed through the API."}
}
