package sandbox

import "fmt"

// exampleCatalog is the built-in system's addresses, templates, e-mails and
// products: addresses on the seed documents' companies and people (the
// Gigabit address is the one the seeds' order shows), an e-mail and a to-do
// template in every module, two e-mails on card 2056, and a few products.
func exampleCatalog(ds *Dataset) Catalog {
	c := Catalog{
		Addresses: []SeedAddress{
			{Id: 8001, ContactId: 225, Type: "Székhely", Name: "Székhely", Country: "Magyarország", PostalCode: "9245",
				City: "Mosonszolnok", County: "Győr-Moson-Sopron", Address: "Alkotás u. 49.", CreatedAt: "2018-11-20 09:00:00"},
			{Id: 8002, ContactId: 7505, Type: "Székhely", Name: "Központi iroda", Country: "Hungary", PostalCode: "1123",
				City: "Budapest", Address: "Példa utca 1.", CreatedAt: "2018-02-14 14:09:00"},
			{Id: 8003, ContactId: 7505, Type: "Számlázási cím", Name: "Számlázás", Country: "HU", PostalCode: "1123",
				City: "Budapest", Address: "Példa utca 1. 3. em.", Default: true, CreatedAt: "2018-02-14 14:09:30"},
			{Id: 8004, ContactId: 7506, Type: "Levelezési cím", Name: "Otthon", Country: "36", PostalCode: "2000",
				City: "Szentendre", County: "Pest", Address: "Minta köz 7.", CreatedAt: "2018-02-14 14:10:07"},
		},
		Emails: []SeedEmail{
			{Id: 8201, ProjectId: 2056, From: "norbert@minicrm.hu", To: "norbert@minicrm.hu", Subject: "Ajánlatunk",
				Body: "<p>Kedves Norbert!</p><p>Csatoltan küldjük ajánlatunkat.</p>", Status: "Opened",
				CreatedAt: "2018-02-15 09:30:00", OpenedAt: "2018-02-15 10:02:11"},
			{Id: 8202, ProjectId: 2056, From: "norbert@minicrm.hu", To: "norbert@minicrm.hu", Subject: "Emlékeztető: tárgyalás",
				Body: "<p>Holnap 13:00-kor hívjuk.</p>", Status: "Sent", CreatedAt: "2018-02-15 16:00:00"},
		},
		Products: []SeedProduct{
			{Id: 8301, Fields: map[string]any{"Name": "Optikai kábel", "SKU": "OPT-100", "PriceNet": 500, "VAT": "27%",
				"UnitName": "Unit_Meter", "Quantity": 1200}},
			{Id: 8302, Fields: map[string]any{"Name": "CRM bevezetés (óra)", "SKU": "SRV-CRM-H", "PriceNet": 15000,
				"VAT": "27%", "Quantity": 0, "Description": "Tanácsadás óradíjban"}},
		},
		ProductFolders: []string{"Termékek", "Szolgáltatások"},
	}
	id := 8101
	for _, cat := range ds.Categories {
		c.Templates = append(c.Templates,
			SeedTemplate{Id: id, CategoryId: cat.Id, Type: "Email", Name: cat.Name + ": üdvözlő levél",
				Subject: "Üdvözöljük!", Content: "<p>Kedves [Contact.FirstName]!</p><p>Köszönjük érdeklődését.</p>",
				FolderId: 9000 + cat.Id, CreatedAt: "2018-01-10 08:00:00"},
			SeedTemplate{Id: id + 1, CategoryId: cat.Id, Type: "Todo", Name: cat.Name + ": visszahívás",
				Subject: fmt.Sprintf("Visszahívás (%s)", cat.Name), Content: "Hívja vissza az ügyfelet.",
				FolderId: 9000 + cat.Id, CreatedAt: "2019-06-01 08:00:00"})
		id += 2
	}
	return c
}
