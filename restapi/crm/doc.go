// Package crm holds MiniCRM's rules in one place, for every package that
// reads or writes MiniCRM's records:
//
//   - the field catalogue (fields.go): which fields of a contact or card
//     are MiniCRM's own (filled in by it, fixed at creation, links between
//     records, the trash flag, tags), so that mappings, feeds, webhook
//     write-backs and the import's mirror agree on them. Types and the
//     options of dropdowns come from the schemas (restapi.Schema);
//   - the canonical text form of field values (values.go): Value brings a
//     value, whichever way MiniCRM gave it (a detail record's label, a
//     list's or a webhook's id, a multi-select's labels or bitmask, the
//     zero date), into one form. The export's snapshot and the webhook
//     rules use it as it is; the import's diff uses Comparer (compare.go),
//     which is Value plus the normalizations a comparison needs;
//   - the set of schemas a mapping is checked against (schemas.go),
//     fetched through restapi or read from a file saved for offline work.
//
// # The two forms, and why there are two
//
// Value is what MiniCRM holds, in one spelling: dropdowns as option keys
// (ids), multi-select fields as the sum of their options' ids, numbers,
// dates and times as MiniCRM wrote them (trimmed), the zero date as empty,
// text as it is (case and spaces kept). The export writes this form back
// out (with labels put back), so it must not reformat what MiniCRM wrote.
//
// Comparer.Value is Value, then what a comparison of a source row with
// MiniCRM needs, because the mapping writes values that way: numbers
// without a needless fraction ("1250000.50" → "1250000.5"), dates cut to
// the day, times with seconds, email addresses lower-cased, phone numbers
// in international form, and the fields named Email and Phone treated as
// such whatever their type. Comparer.Equal then says "unchanged" only for
// the same text, except: an empty dropdown or number equals 0, whole
// numbers compare exactly and others within a relative 1e-14 (rounding of
// decimal forms, not a real change: a fillér in a billion is a change), and VatNumber/EUVatNumber compare by letters and digits only.
// Text is compared exactly: a change of case is a change.
//
// Dropdown labels are matched exactly here (MiniCRM writes its labels as
// its schema does), before keys: should a label be another option's id, a
// value is read as the label, as detail records write it. Values a person typed into a source file are matched
// more forgivingly, ignoring case and accents, by package mapping before
// they reach this form.
package crm
