package sandbox

// DefaultDataset is the built-in system: the Hungarian modules of the seed
// documents' example system (Értékesítés, Ügyfélszolgálat, Megrendelés,
// Számlázó…), a few users and statuses, custom fields on Person, Business and
// Project (an enum, a date, a number and a text field for an external
// system's id on each), and the records the seed documents' curl examples
// use, under the same ids, so those examples can be replayed as written.
func DefaultDataset() *Dataset {
	ds := EmptyDataset()
	ds.Contacts = []SeedContact{
		{Id: 225, Type: "Business", Emails: []string{"info@gigabit.example"}, Phones: []string{"+36 96 555 0100"},
			CreatedAt: "2018-11-20 09:00:00", Fields: map[string]any{"Name": "Gigabit Távközlési Kft.", "VatNumber": "17823443-1-26",
				"RegistrationNumber": "32-88-574193", "BankAccount": "92826253-45043722-59650728"}},
		{Id: 351, Type: "Person", BusinessId: 225, Emails: []string{"szabo.eva@gigabit.example"},
			CreatedAt: "2019-03-01 08:00:00", Fields: map[string]any{"FirstName": "Éva", "LastName": "Szabó"}},
		{Id: 7505, Type: "Business", Emails: []string{"help@minicrm.hu"}, Phones: []string{"06 (1) 999-0402"},
			CreatedAt: "2018-02-14 14:09:00", Fields: map[string]any{"Name": "MiniCRM Zrt.", "Iparag": "Informatika"}},
		{Id: 7506, Type: "Person", BusinessId: 7505, Emails: []string{"norbert@minicrm.hu"}, Phones: []string{"06 (20) 236 7532"},
			CreatedAt: "2018-02-14 14:10:07", Fields: map[string]any{"FirstName": "Norbert", "LastName": "Leskó",
				"Position": "Cégvezető", "KedvencEtele": "Alma"}},
		{Id: 7507, Type: "Person", BusinessId: 7505, Emails: []string{"egerszegi.krisztian@minicrm.hu"},
			CreatedAt: "2018-02-14 14:11:00", Fields: map[string]any{"FirstName": "Krisztián", "LastName": "Egerszegi"}},
		// The seeds' paging example shows card 2009 with ContactId 7461 and
		// BusinessId 7453; the cards that are not MiniCRM Zrt.'s (7505) in
		// the seeds' company examples belong here too.
		{Id: 7453, Type: "Business", Emails: []string{"info@pelda.example"},
			CreatedAt: "2012-01-16 09:55:00", Fields: map[string]any{"Name": "Példa Kft."}},
		{Id: 7461, Type: "Person", BusinessId: 7453, Emails: []string{"kiss.judit@pelda.example"},
			CreatedAt: "2012-01-16 09:58:00", Fields: map[string]any{"FirstName": "Judit", "LastName": "Kiss"}},
	}
	ds.Projects = []SeedProject{
		{Id: 206, CategoryId: 7, ContactId: 225, StatusId: 3010, UserId: 22404, Name: "Gigabit Távközlési Kft. rendelései",
			CreatedAt: "2018-11-20 09:05:00"},
		{Id: 2001, CategoryId: 10, ContactId: 7461, StatusId: 2620, UserId: 22404, Name: "Kiss Judit érdeklődése",
			CreatedAt: "2012-01-16 10:00:00"},
		{Id: 2009, CategoryId: 3, ContactId: 7461, StatusId: 2540, UserId: 22404, Name: "Ez egy komoly érdeklődő (Példa Kft.)",
			CreatedAt: "2018-02-14 14:12:00"},
		{Id: 2054, CategoryId: 3, ContactId: 7506, StatusId: 2538, UserId: 22404, Name: "MiniCRM Zrt. (CRM szolgáltató)",
			CreatedAt: "2018-02-14 14:12:10"},
		{Id: 2055, CategoryId: 5, ContactId: 7506, StatusId: 2521, UserId: 22404, Name: "API segítség kérés",
			CreatedAt: "2018-02-14 14:12:20"},
		{Id: 2056, CategoryId: 10, ContactId: 7506, StatusId: 2622, UserId: 22404, Name: "MiniCRM Zrt. (Leskó Norbert)",
			CreatedAt: "2018-02-14 14:12:31", Fields: map[string]any{
				"AutoSalesV3_Qualification": "VIP", "AutoSalesV3_IsHot": "Igen", "DontesiSzempont": "Termék minőség",
				"AutoSalesV3_SalesStatus": "Értékesítés folyamatban", "AutoSalesV3_LeadStep": "Ajánlat elfogadás",
				"HolTalaltRank": "Weboldal", "VarhatoArbevetel": 1000000, "KovetkezoHivasIdpontja": "2018-02-16 13:00:59",
				"VarhatoLezarasDatuma": "2018-02-23 23:59:59"}},
		{Id: 29592, CategoryId: 10, ContactId: 7461, StatusId: 2876, UserId: 53986, Name: "Kiss Judit ügyfélminősítése",
			CreatedAt: "2018-07-18 01:44:20"},
	}
	ds.ToDos = []SeedToDo{
		{Id: 1111, ProjectId: 2001, UserId: 53986, Comment: "Felhívni és megkérdezni sikerült-e dönteni, van-e még valamilyen kérdése a termékről.",
			Deadline: "2012-01-17 23:59:00"},
		{Id: 2222, ProjectId: 2001, UserId: 22404, Type: 1566, Comment: "Történt valami előrelépés?", Deadline: "2013-01-22 23:59:00"},
	}
	ds.Documents = exampleDocuments()
	ds.Catalog = exampleCatalog(ds)
	return ds
}

// EmptyDataset is DefaultDataset's configuration without any records: what a
// migration rehearsal starts from.
func EmptyDataset() *Dataset {
	return &Dataset{
		Language: "hu",
		Users: []User{
			{Id: 22404, Name: "Leskó Norbert"},
			{Id: 53986, Name: "Keszei Csaba"},
			{Id: 53602, Name: "Kovács Anna"},
			{Id: 53603, Name: "Nagy Péter"},
		},
		Categories: []Category{
			{Id: 3, Name: "Partnerek", Type: "Generic", Statuses: []Status{
				{Id: 2540, Name: "Érdeklődő", Group: "Lead"},
				{Id: 2538, Name: "Aktív partner", Group: "Open"},
				{Id: 2539, Name: "Volt partner", Group: "Failed"},
			}, Fields: []Field{
				{Name: "PartnerKod", Label: "Partnerkód", Type: "Text(64)"},
			}},
			{Id: 5, Name: "Ügyfélszolgálat", Type: "HelpDesk", Statuses: []Status{
				{Id: 2520, Name: "Új bejelentés", Group: "Lead"},
				{Id: 2521, Name: "Folyamatban", Group: "Open"},
				{Id: 2523, Name: "Megoldva", Group: "Success"},
				{Id: 2524, Name: "Elutasítva", Group: "Failed"},
			}, Fields: []Field{
				{Name: "Prioritas", Label: "Prioritás", Type: "Enum", Options: []Option{{Id: 4101, Label: "Alacsony"}, {Id: 4102, Label: "Normál"}, {Id: 4103, Label: "Sürgős"}}},
				{Name: "HataridoDatum", Label: "Határidő", Type: "Date"},
				{Name: "RaforditottOra", Label: "Ráfordított óra", Type: "Float"},
				{Name: "KulsoJegyAzonosito", Label: "Külső jegyazonosító", Type: "Text(64)"},
			}},
			{Id: 6, Name: "Projektek", Type: "Generic", Statuses: []Status{
				{Id: 2630, Name: "Tervezés", Group: "Lead"},
				{Id: 2631, Name: "Megvalósítás", Group: "Open"},
				{Id: 2632, Name: "Lezárva", Group: "Success"},
				{Id: 2633, Name: "Leállítva", Group: "Failed"},
			}},
			{Id: 7, Name: "Megrendelés", Type: "Order", Statuses: []Status{
				{Id: 3010, Name: "Piszkozat", Group: "Lead"},
				{Id: 3011, Name: "Folyamatban", Group: "Open"},
				{Id: 3012, Name: "Teljesítve", Group: "Open"},
				{Id: 3013, Name: "Fizetve", Group: "Success"},
				{Id: 3014, Name: "Sikertelen", Group: "Failed"},
			}, Fields: []Field{
				{Name: "SzallitasExtraInfo", Label: "Szállítási megjegyzés", Type: "Text(1024)"},
				{Name: "DeliveryExtraInfo", Label: "Delivery extra info", Type: "Text(1024)"},
			}},
			{Id: 8, Name: "Webshop", Type: "Webshop", Statuses: []Status{
				{Id: 3020, Name: "Regisztrált", Group: "Lead"},
				{Id: 3021, Name: "Egyszeri vevő", Group: "Open"},
				{Id: 3022, Name: "Törzsvásárló", Group: "Success"},
			}},
			{Id: 9, Name: "Számlázó", Type: "Invoice", Statuses: []Status{
				{Id: 3030, Name: "Kiállítva", Group: "Open"},
				{Id: 3031, Name: "Fizetve", Group: "Success"},
				{Id: 3032, Name: "Sztornózva", Group: "Failed"},
			}, Fields: []Field{
				{Name: "SzamlaMegjegyzes", Label: "Számla megjegyzés", Type: "Text(1024)"},
			}},
			{Id: 10, Name: "Értékesítés", Type: "Generic", Statuses: []Status{
				{Id: 2620, Name: "Érdeklődő", Group: "Lead"},
				{Id: 2876, Name: "Ügyfélminősítés", Group: "Lead"},
				{Id: 2621, Name: "Ajánlat kiküldve", Group: "Open"},
				{Id: 2622, Name: "Tárgyalás", Group: "Open"},
				{Id: 2623, Name: "Sikeres", Group: "Success"},
				{Id: 2624, Name: "Sikertelen", Group: "Failed"},
			}, Fields: []Field{
				{Name: "AutoSalesV3_Qualification", Label: "Ügyfélminősítés", Type: "Enum", Options: []Option{
					{Id: 4001, Label: "VIP"}, {Id: 4002, Label: "Célcsoport"}, {Id: 4003, Label: "Nem célcsoport"}}},
				{Name: "AutoSalesV3_IsHot", Label: "Forró érdeklődő", Type: "Enum", Options: []Option{
					{Id: 4011, Label: "Igen"}, {Id: 4012, Label: "Nem"}}},
				// The seeds' card 2056 shows these three as well.
				{Name: "AutoSalesV3_SalesStatus", Label: "Értékesítési státusz", Type: "Enum", Options: []Option{
					{Id: 4041, Label: "Értékesítés folyamatban"}, {Id: 4042, Label: "Sikeres értékesítés"}, {Id: 4043, Label: "Sikertelen értékesítés"}}},
				{Name: "AutoSalesV3_LeadStep", Label: "Érdeklődő lépés", Type: "Enum", Options: []Option{
					{Id: 4051, Label: "Kapcsolatfelvétel"}, {Id: 4052, Label: "Igényfelmérés"}, {Id: 4053, Label: "Ajánlat elfogadás"}}},
				{Name: "AutoSalesV3_CustomerStep", Label: "Ügyfél lépés", Type: "Enum", Options: []Option{
					{Id: 4061, Label: "Bevezetés"}, {Id: 4062, Label: "Aktív ügyfél"}}},
				{Name: "DontesiSzempont", Label: "Döntési szempont", Type: "Enum", Options: []Option{
					{Id: 4021, Label: "Ár"}, {Id: 4022, Label: "Termék minőség"}, {Id: 4023, Label: "Ügyfélszolgálat"}}},
				{Name: "HolTalaltRank", Label: "Hol talált ránk", Type: "Enum", Options: []Option{
					{Id: 4031, Label: "Weboldal"}, {Id: 4032, Label: "Ajánlás"}, {Id: 4033, Label: "Hirdetés"}, {Id: 4034, Label: "Rendezvény"}}},
				{Name: "VarhatoArbevetel", Label: "Várható árbevétel", Type: "Int"},
				{Name: "Valoszinuseg", Label: "Valószínűség (%)", Type: "Float"},
				{Name: "KovetkezoHivasIdpontja", Label: "Következő hívás időpontja", Type: "DateTime"},
				// DateTime, not Date: the seeds show "2018-02-23 23:59:59".
				{Name: "VarhatoLezarasDatuma", Label: "Várható lezárás dátuma", Type: "DateTime"},
				{Name: "KulsoAzonosito", Label: "Külső azonosító", Type: "Text(64)"},
				{Name: "Megjegyzes", Label: "Megjegyzés", Type: "Text(1024)"},
			}},
			{Id: 11, Name: "Ajánlatok", Type: "Offer", Statuses: []Status{
				{Id: 3040, Name: "Kiállítandó", Group: "Lead"},
				{Id: 3041, Name: "Elfogadásra vár", Group: "Open"},
				{Id: 3042, Name: "Elfogadott", Group: "Success"},
				{Id: 3043, Name: "Elutasítva", Group: "Failed"},
			}},
			// The HU seed creates a card with CategoryId 30 and StatusId 2867.
			{Id: 30, Name: "Rendezvények", Type: "Generic", Statuses: []Status{
				{Id: 2867, Name: "Jelentkezett", Group: "Lead"},
				{Id: 2868, Name: "Részt vett", Group: "Success"},
			}},
		},
		PersonFields: []Field{
			{Name: "KedvencEtele", Label: "Kedvenc étele", Type: "Enum", Options: []Option{
				{Id: 2001, Label: "Alma"}, {Id: 2002, Label: "Narancs"}, {Id: 2003, Label: "Sajt"}, {Id: 2004, Label: "Kolbász"}}},
			{Name: "Hirlevel", Label: "Hírlevél", Type: "Enum", Options: []Option{{Id: 2011, Label: "Igen"}, {Id: 2012, Label: "Nem"}}},
			{Name: "SzuletesiDatum", Label: "Születési dátum", Type: "Date"},
			{Name: "VasarlasokSzama", Label: "Vásárlások száma", Type: "Int"},
			{Name: "KulsoAzonosito", Label: "Külső azonosító", Type: "Text(64)"},
			{Name: "MasodlagosEmail", Label: "Másodlagos email", Type: "Email"},
			{Name: "MobilTelefon", Label: "Mobiltelefon", Type: "Phone"},
		},
		BusinessFields: []Field{
			{Name: "Iparag", Label: "Iparág (lista)", Type: "Enum", Options: []Option{
				{Id: 2101, Label: "Informatika"}, {Id: 2102, Label: "Kereskedelem"}, {Id: 2103, Label: "Gyártás"}, {Id: 2104, Label: "Szolgáltatás"}}},
			{Name: "SzerzodesKelte", Label: "Szerződés kelte", Type: "Date"},
			{Name: "HitelKeret", Label: "Hitelkeret (Ft)", Type: "Float"},
			{Name: "KulsoAzonosito", Label: "Külső azonosító", Type: "Text(64)"},
		},
	}
}
