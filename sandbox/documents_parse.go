package sandbox

// Reading the values of a document body: the Customer and Vendor objects,
// texts, dates, currencies, the items, and the card fields of "Project".

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// parseParty reads a Customer or Vendor object (nil when absent). Country
// (a name or an id) becomes CountryId; a CountryId sent along wins.
func parseParty(v any, what, lang string) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), what))
	}
	m := map[string]string{}
	for k, val := range obj {
		if !partyKeys[k] {
			return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_field", what+"."+k))
		}
		s, err := textValue(val, what+"."+k, lang)
		if err != nil {
			return nil, err
		}
		m[k] = s
	}
	country, hasName := m["Country"]
	delete(m, "Country")
	if id, has := m["CountryId"]; has {
		country, hasName = id, true
	}
	if hasName {
		id, ok := countryID(country)
		if !ok {
			return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", country, what+".Country"))
		}
		m["CountryId"] = id
	}
	return m, nil
}

// countryIDs maps country names to MiniCRM's country ids. Only 36
// (Magyarország, the HU invoice example) and 40 (Romania, MAN25) are
// documented; they are the countries' calling codes, and the other entries
// follow that pattern.
var countryIDs = map[string]string{
	"magyarorszag": "36", "hungary": "36", "romania": "40", "ausztria": "43", "austria": "43",
	"nemetorszag": "49", "germany": "49", "szlovakia": "421", "slovakia": "421", "csehorszag": "420",
	"czech republic": "420", "czechia": "420", "lengyelorszag": "48", "poland": "48", "szerbia": "381",
	"serbia": "381", "horvatorszag": "385", "croatia": "385", "szlovenia": "386", "slovenia": "386",
	"ukrajna": "380", "ukraine": "380", "olaszorszag": "39", "italy": "39", "franciaorszag": "33",
	"france": "33", "egyesult kiralysag": "44", "united kingdom": "44", "egyesult allamok": "1",
	"united states": "1",
}

func countryID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return strconv.Itoa(n), true
	}
	id, ok := countryIDs[fold(s)]
	return id, ok
}

// textValue reads a text value: a string, or a number written as one.
func textValue(v any, field, lang string) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(x), nil
	case float64, bool:
		return scalarString(x), nil
	}
	return "", errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), field))
}

func dateValue(v any, field, def, lang string) (string, error) {
	s := strings.TrimSpace(scalarString(v))
	if v == nil || s == "" {
		return def, nil
	}
	t, ok := parseMiniCRMTime(s)
	if _, isString := v.(string); !ok || !isString {
		return "", errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), field))
	}
	return t.Format(dateLayout), nil
}

func currencyValue(v any, lang string) (string, error) {
	s, _ := v.(string)
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 3 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), "CurrencyCode"))
	}
	return s, nil
}

// parseNewItems reads the Items of a create body. An item's Id is kept only
// in a data file's documents (the seeds); a create body's Id is an echo.
func parseNewItems(v any, keepIDs bool, lang string) ([]*docItem, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), "Items"))
	}
	var items []*docItem
	for _, raw := range list {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(raw), "Items"))
		}
		it, err := parseItem(m, &docItem{VAT: defaultVAT}, true, lang)
		if err != nil {
			return nil, err
		}
		if keepIDs {
			it.Id, _ = idOf(m["Id"])
		}
		items = append(items, it)
	}
	return items, nil
}

// mergeItems applies the Items of an order edit: an item with an Id
// overwrites that line (only the keys sent; "felülírhatjuk a hivatkozott
// tételsort"), one without is added.
func (st *store) mergeItems(d *document, v any) error {
	lang := st.lang
	list, ok := v.([]any)
	if !ok {
		return errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), "Items"))
	}
	for _, raw := range list {
		m, ok := raw.(map[string]any)
		if !ok {
			return errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(raw), "Items"))
		}
		if idv, has := m["Id"]; has && idv != nil && scalarString(idv) != "" {
			id, _ := idOf(idv)
			i := slices.IndexFunc(d.Items, func(it *docItem) bool { return it.Id == id })
			if i < 0 {
				return errf(http.StatusBadRequest, msgf(lang, "no_item", printable(idv)))
			}
			it, err := parseItem(m, d.Items[i], false, lang)
			if err != nil {
				return err
			}
			d.Items[i] = it
			continue
		}
		it, err := parseItem(m, &docItem{VAT: defaultVAT}, true, lang)
		if err != nil {
			return err
		}
		d.Items = append(d.Items, it)
	}
	return nil
}

// defaultVAT is an item's VAT when the body leaves it out: the highest
// national rate, the default MAN25 gives for products (27% in Hungary).
const defaultVAT = "27%"

// parseItem writes an item object over base. A new item needs Name,
// PriceNet and Quantity.
func parseItem(m map[string]any, base *docItem, isNew bool, lang string) (*docItem, error) {
	it := *base
	for k, v := range m {
		if !itemWritable[k] && !itemEchoed[k] {
			return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_field", "Items."+k))
		}
		var err error
		switch k {
		case "SKU":
			it.SKU, err = textValue(v, "SKU", lang)
		case "EAN":
			it.EAN, err = textValue(v, "EAN", lang)
		case "Name":
			it.Name, err = textValue(v, "Name", lang)
		case "Description":
			it.Description, err = textValue(v, "Description", lang)
		case "Unit":
			it.Unit, err = textValue(v, "Unit", lang)
		case "VATSubtype":
			it.VATSubtype, err = textValue(v, "VATSubtype", lang)
		case "PriceNet", "Quantity":
			r, ok := parseAmount(v)
			if !ok {
				return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), k))
			}
			if k == "PriceNet" {
				it.PriceNet = decCanonical(r)
			} else {
				it.Quantity = decCanonical(r)
			}
		case "VAT":
			vat, ok := parseVAT(v)
			if !ok {
				return nil, errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), "VAT"))
			}
			it.VAT = vat
		}
		if err != nil {
			return nil, err
		}
	}
	if isNew {
		switch {
		case it.Name == "":
			return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Items.Name"))
		case it.PriceNet == "":
			return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Items.PriceNet"))
		case it.Quantity == "":
			return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Items.Quantity"))
		}
	}
	return &it, nil
}

// applyDocProject writes a document's card fields (see documentProject):
// the module's custom fields, validated as the R3 Project endpoint does,
// and for an offer the status. The card's system fields are refused.
func (st *store) applyDocProject(kind string, card *project, v any) (changed, statusChanged bool, err error) {
	body, ok := v.(map[string]any)
	if !ok {
		return false, false, errf(http.StatusBadRequest, msgf(st.lang, "bad_value", printable(v), "Project"))
	}
	// The HU offer text calls the status "StatuszId", its example and every
	// other endpoint "StatusId": the example is followed.
	for k := range body {
		switch k {
		case "StatusId":
			if kind != docOffer {
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "immutable", k))
			}
		case "UserId", "ContactId", "BusinessId", "CategoryId", "Deleted", "Name", "IsPrivate", "ReferenceId":
			return false, false, errf(http.StatusBadRequest, msgf(st.lang, "immutable", k))
		}
	}
	return applyProject(st, card, body)
}
