package sandbox

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// product is an item of the stock (MAN25 "Stock / products").
type product struct {
	Id          int       `json:"Id"`
	Name        string    `json:"Name"`
	SKU         string    `json:"SKU"`
	EAN         string    `json:"EAN"`
	Folder      string    `json:"FolderName"`
	VAT         string    `json:"VAT"`
	PriceNet    float64   `json:"PriceNet"`
	Currency    string    `json:"CurrencyCode"`
	Unit        string    `json:"UnitName"`
	Quantity    float64   `json:"Quantity"`
	Warehouse   string    `json:"Warehouse_Name"`
	Description string    `json:"Description"`
	Deleted     int       `json:"Deleted"`
	CreatedBy   int       `json:"CreatedBy"`
	CreatedAt   time.Time `json:"CreatedAt"`
	UpdatedBy   int       `json:"UpdatedBy"`
	UpdatedAt   time.Time `json:"UpdatedAt"`
}

// vatRates are the VAT keys a product may have: the Hungarian rates and
// the exemption codes the invoicing module knows. A product written
// without VAT gets the highest national rate (MAN25).
var vatRates = []string{"27%", "18%", "5%", "0%", "AAM", "TAM", "EU", "EUK", "MAA", "ÁKK"}

const (
	productDefaultVAT = "27%"
	defaultCurrency   = "HUF" // the system's currency
	defaultUnit       = "Unit_Piece"
	defaultFolder     = "Termékek"
)

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (s *store) productFolders() []string {
	if len(s.ds.ProductFolders) > 0 {
		return s.ds.ProductFolders
	}
	return []string{defaultFolder}
}

// defaultProduct fills what a new product has before its body is applied.
func (s *store) defaultProduct(p *product) {
	p.VAT, p.Currency, p.Unit, p.Folder = productDefaultVAT, defaultCurrency, defaultUnit, s.productFolders()[0]
}

func (s *store) productBySKU(sku string) *product {
	if sku == "" {
		return nil
	}
	for _, id := range sortedIDs(s.cat.products) {
		if p := s.cat.products[id]; p.SKU == sku {
			return p
		}
	}
	return nil
}

// PUT /Api/R3/Product: create, or, when a product already has the
// (non-empty) SKU sent, update that one (MAN25: SKU upsert). → {"Id": N}
func createProduct(s *Server, r *request) (any, error) {
	st := s.st
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	if existing := st.productBySKU(strings.TrimSpace(scalarString(body["SKU"]))); existing != nil {
		return st.updateProductWith(s.clock(), existing, body)
	}
	if v, ok := body["Name"]; !ok || strings.TrimSpace(scalarString(v)) == "" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "Name"))
	}
	now := s.clock()
	p := &product{CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now}
	st.defaultProduct(p)
	if _, err := st.applyProduct(p, body); err != nil {
		return nil, err
	}
	p.Id = st.newID()
	st.cat.products[p.Id] = p
	return map[string]int{"Id": p.Id}, nil
}

// PUT /Api/R3/Product/<Id>: update the fields sent; {"Deleted": 1}
// deletes (MAN25), and a deleted product can be restored with 0.
func updateProduct(s *Server, r *request) (any, error) {
	st := s.st
	p, ok := st.cat.products[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	return st.updateProductWith(s.clock(), p, body)
}

func (s *store) updateProductWith(now time.Time, p *product, body map[string]any) (any, error) {
	if v, has := body["Id"]; has && idOrZero(v) != 0 && idOrZero(v) != p.Id {
		return nil, errf(http.StatusBadRequest, msgf(s.lang, "immutable", "Id"))
	}
	cp := *p
	changed, err := s.applyProduct(&cp, body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cp.Name) == "" {
		return nil, errf(http.StatusBadRequest, msgf(s.lang, "required", "Name"))
	}
	if changed {
		cp.UpdatedAt, cp.UpdatedBy = now, s.apiUser()
		*p = cp
	}
	return map[string]int{"Id": p.Id}, nil
}

var productText = map[string]fieldDef{
	"Name":           {Name: "Name", Label: "Név", Kind: kindText, Max: 512},
	"SKU":            {Name: "SKU", Label: "Cikkszám", Kind: kindText, Max: 128},
	"EAN":            {Name: "EAN", Label: "EAN", Kind: kindText, Max: 64},
	"UnitName":       {Name: "UnitName", Label: "Mennyiségi egység", Kind: kindText, Max: 64},
	"Warehouse_Name": {Name: "Warehouse_Name", Label: "Raktár", Kind: kindText, Max: 255},
	"Description":    {Name: "Description", Label: "Leírás", Kind: kindText, Max: 65535},
}

// applyProduct writes body fields onto p, reporting whether anything
// changed.
func (s *store) applyProduct(p *product, body map[string]any) (bool, error) {
	changed := false
	bad := func(v any, label string) error {
		return errf(http.StatusBadRequest, msgf(s.lang, "invalid_value", printable(v), label))
	}
	setStr := func(dst *string, v string) {
		if *dst != v {
			*dst, changed = v, true
		}
	}
	for k, v := range body {
		switch k {
		case "Id", "CreatedBy", "CreatedAt", "UpdatedBy", "UpdatedAt":
		case "FolderName":
			// An unknown or missing folder files the product in the first
			// one (MAN25).
			folders := s.productFolders()
			name := folders[0]
			for _, f := range folders {
				if strings.EqualFold(strings.TrimSpace(scalarString(v)), f) {
					name = f
				}
			}
			setStr(&p.Folder, name)
		case "VAT":
			vat := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(scalarString(v)), " ", ""))
			if vat == "" {
				vat = productDefaultVAT
			} else if _, err := strconv.Atoi(vat); err == nil {
				vat += "%"
			}
			found := false
			for _, r := range vatRates {
				if strings.EqualFold(vat, r) {
					vat, found = r, true
				}
			}
			if !found {
				return false, bad(v, "ÁFA")
			}
			setStr(&p.VAT, vat)
		case "CurrencyCode":
			c := strings.ToUpper(strings.TrimSpace(scalarString(v)))
			if c == "" {
				c = defaultCurrency
			}
			if !currencyCode.MatchString(c) {
				return false, bad(v, "Pénznem")
			}
			setStr(&p.Currency, c)
		case "PriceNet", "Quantity":
			n, err := fieldDef{Name: k, Label: map[string]string{"PriceNet": "Nettó ár", "Quantity": "Mennyiség"}[k],
				Kind: kindFloat}.normalize(v, s.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			dst := &p.PriceNet
			if k == "Quantity" {
				dst = &p.Quantity
			}
			if *dst != n.(float64) {
				*dst, changed = n.(float64), true
			}
		case "Deleted":
			n, err := fieldDef{Name: k, Label: k, Kind: kindInt}.normalize(v, s.lang)
			if err != nil || (n.(int64) != 0 && n.(int64) != 1) {
				return false, bad(v, "Deleted")
			}
			if p.Deleted != int(n.(int64)) {
				p.Deleted, changed = int(n.(int64)), true
			}
		default:
			d, ok := productText[k]
			if !ok {
				return false, errf(http.StatusBadRequest, msgf(s.lang, "unknown_field", k))
			}
			nv, err := d.normalize(v, s.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			str := strings.TrimSpace(nv.(string))
			switch k {
			case "Name":
				setStr(&p.Name, str)
			case "SKU":
				if other := s.productBySKU(str); other != nil && other.Id != p.Id {
					return false, errf(http.StatusBadRequest, msgf(s.lang, "sku_taken", str, other.Id))
				}
				setStr(&p.SKU, str)
			case "EAN":
				setStr(&p.EAN, str)
			case "UnitName":
				if str == "" {
					str = defaultUnit
				}
				setStr(&p.Unit, str)
			case "Warehouse_Name":
				setStr(&p.Warehouse, str)
			case "Description":
				setStr(&p.Description, str)
			}
		}
	}
	return changed, nil
}

func init() {
	messages["sku_taken"] = [2]string{"A(z) %s cikkszám már a(z) %d azonosítójú terméké.", "SKU %s already belongs to product %d."}
}

// productsHook answers GET /_sandbox/products: the stock as the sandbox
// keeps it. MiniCRM documents no API to read products back, so tests and
// demos look here.
func (s *Server) productsHook() []*product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*product{}
	for _, id := range sortedIDs(s.st.cat.products) {
		cp := *s.st.cat.products[id]
		out = append(out, &cp)
	}
	return out
}
