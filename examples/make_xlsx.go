//go:build ignore

// make_xlsx writes examples/lehetosegek.xlsx, the example XLSX source: a
// title row above the header (as reports exported from other systems have),
// real number and date cells. Run from the repository root:
//
//	go run examples/make_xlsx.go
package main

import (
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Lehetőségek"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		log.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(f.SetCellValue(sheet, "A1", "Értékesítési lehetőségek – 2026. november"))
	must(f.MergeCell(sheet, "A1", "I1"))
	header := []any{"Ügyfélkód", "Cégnév", "Vezetéknév", "Keresztnév", "E-mail", "Lehetőség", "Összeg (Ft)", "Várható lezárás", "Forrás"}
	must(f.SetSheetRow(sheet, "A3", &header))
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	rows := [][]any{
		{"U-1001", "Példa Kft.", "Kiss", "János", "kiss.janos@pelda.hu", "CRM bevezetés", 1250000, date(2026, 12, 15), "Weboldal"},
		{"U-1004", "Minta és Társa Bt.", "Nagy", "Ödön", "nagy.odon@minta.hu", "Éves karbantartás", 480000, date(2027, 1, 31), "Ajánlás"},
		{"U-1006", "Dunai Gépgyártó Zrt.", "Farkas", "Bence", "bence.farkas@dunaigep.hu", "Gyártósor-felügyelet", 9800000, date(2027, 3, 1), "Rendezvény"},
		{"U-1009", "Tiszavirág Kereskedelmi Kft.", "Molnár", "Kinga", "kinga@tiszavirag.hu", "Webshop integráció", 2150000, date(2026, 12, 20), "Hirdetés"},
		{"U-1011", "Őrség Vendéglátó Kft.", "Papp", "Ágnes", "papp.agnes@orseg-vendeglato.hu", "Asztalfoglaló rendszer", 650000, date(2027, 2, 14), "Weboldal"},
		{"U-1099", "Ismeretlen Kft.", "Új", "Ügyfél", "uj.ugyfel@ismeretlen.hu", "Első megkeresés", "n/a", date(2027, 1, 5), "Plakát"},
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, 4+i)
		must(err)
		must(f.SetSheetRow(sheet, cell, &r))
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // a date format
	must(err)
	must(f.SetCellStyle(sheet, "H4", "H9", style))
	must(f.SaveAs("examples/lehetosegek.xlsx"))
}
