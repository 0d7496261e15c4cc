// Package csvsafe keeps a spreadsheet from running what a CSV file holds.
//
// A cell that starts with =, +, -, @, a tab or a carriage return is taken
// by Excel, LibreOffice and Google Sheets as a formula when the CSV file is
// opened: =HYPERLINK("http://evil","click") becomes a link, and
// +1+cmd|' /C calc'!A0 asks to start a program ("CSV injection"). Every CSV
// this program writes for people to open (export, listen --csv, errors.csv
// and --rejects, plan.csv and success.csv) goes through Neutralize, which
// puts an apostrophe in front of such a cell, the usual mark of text.
//
// The files a person fixes and imports again (errors.csv, --rejects) must
// give back the exact values, so the mark is undone on reading: the CSV
// reader of package source calls Restore on every cell. To keep that
// exact, a value that itself starts with apostrophes before a formula
// character gets one more (Neutralize("'=x") is "”=x"): Restore undoes
// exactly what Neutralize did, and Restore(Neutralize(s)) == s for every s.
package csvsafe
