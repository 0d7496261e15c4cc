//go:build ignore

// make_xlsx writes partnerek.xlsx from partnerek.csv, the way the practice
// workbook is made: sheet "Partnerek" with a title row (not merged) above
// the header, Érték (Ft) as number cells, Utolsó kontakt as date cells, and
// a second sheet not to import. Run from this folder:
//
//	go run make_xlsx.go
package main

import (
	"encoding/csv"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	in, err := os.ReadFile("partnerek.csv")
	if err != nil {
		log.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(in), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Partnerek"
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", sheet))
	must(f.SetCellValue(sheet, "A1", "Partnerlista – exportálva a régi rendszerből"))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
			if i == 0 {
				continue
			}
			switch j {
			case 11: // Érték (Ft): "47 809 632"
				if n, err := strconv.Atoi(strings.ReplaceAll(v, " ", "")); err == nil {
					row[j] = n
				}
			case 12: // Utolsó kontakt: "2026.01.02."
				if t, err := time.Parse("2006.01.02.", v); err == nil {
					row[j] = t
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		must(f.SetSheetRow(sheet, cell, &row))
		if i > 0 {
			c, _ := excelize.CoordinatesToCellName(13, i+2)
			must(f.SetCellStyle(sheet, c, c, dateStyle))
		}
	}
	_, err = f.NewSheet("Megjegyzések")
	must(err)
	must(f.SetCellValue("Megjegyzések", "A1", "Ezt a lapot nem kell importálni."))
	must(f.SaveAs("partnerek.xlsx"))
}
