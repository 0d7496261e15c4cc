// Package webhook receives MiniCRM's webhook notifications and turns them
// into a change log, so that a nightly job can keep another system in step
// without re-reading MiniCRM (and without spending API requests).
//
// # What MiniCRM sends
//
// Both editions of MiniCRM's API documentation ("Webhook") describe it: for a
// change of a card (Type "Project") or of a person or company (Type
// "Contact"), MiniCRM POSTs JSON to an address the customer gives, with HTTP
// basic auth taken from that address ("https://$User:$Pass@example.com/…"):
//
//	{"Id": "10", "Type": "Project",
//	 "Data": {"CategoryId": "8", "StatusId": "11684", "UserId": "2", "Name": "…",
//	          "UpdatedAt": "2018-03-02 23:55:42", …},
//	 "Changed": ["StatusId", "UserId", "Name", "UpdatedAt"],
//	 "Config": […], "Schema": {"UserId": {"6553": "Olivér Gál", …}, "Name": "Text(512)", …}}
//
// Data holds every field of the record as raw values: enum fields as option
// ids, multi-select ("set") fields as the sum of the chosen options' ids
// (powers of two). Schema maps the fields to their types or, for enums, to
// id → label objects, as the Schema endpoint does. Cards of order and offer
// modules also carry Head, the document. Only a 200 answer counts as
// processed; anything else is retried 10 s, 1 min, 5 min, 15 min, 30 min and
// 1 h after the previous try (1 h 51 min 10 s in all). A JSON object in the
// 200 answer is written back to the same record, and that write sends no new
// notification (Hungarian edition, "Példa válasz").
//
// # The Receiver
//
// Receiver is an http.Handler. It checks basic auth (constant-time), limits
// the body size (413) and the time to send it (408, Config.BodyTimeout),
// validates the JSON (400, logged), appends each new
// notification to the change log and fsyncs it before answering 200, and
// records a retry of a change it already has only once. Optional Rules answer
// with fields to write back.
//
// # The change log (the format an export applies)
//
// The log is a directory of NDJSON files, one per day of arrival in the
// Receiver's time zone: changes-2026-11-22.ndjson. Each line is an Entry:
//
//	{"received_at":"2026-11-22T10:15:03.123+01:00",
//	 "key":"Project/2056/2026-11-22 10:15:02/3f1c0a9be2d45c71",
//	 "payload":{…the notification as received…},
//	 "answer":{"AutoSalesV3_SalesStatus":"Sikeres értékesítés"}}
//
// key identifies the change: Type, Id, Data.UpdatedAt and a hash of Changed
// and Data. A retry of the same change has the same key (so does the same
// change sent by two webhooks that point here: it is one change); two
// changes of one record in the same second do not (UpdatedAt has whole
// seconds). answer is
// the write-back the Receiver sent, if any. Lines are only ever appended; a
// line cut short by a crash is never acknowledged and is removed at the next
// start, and MiniCRM sends that notification again.
//
// Because Data carries the whole record, not only the changed fields, the
// newest entry of a record (by Data.UpdatedAt, then by arrival) is its state:
// applying the log to an earlier export means replacing each logged record's
// row with its newest Data, and Latest computes exactly that list. Deleted
// records arrive as a change of Deleted to 1. Enum ids turn into labels
// through the entry's own Schema (Payload.Label).
//
// With CSV enabled the Receiver also keeps one CSV per kind of record
// (Project-<CategoryId>.csv, Person.csv, Business.csv; Contact.csv or
// Project.csv when the kind cannot be told), enum ids written as labels. The
// CSV files are a view for people: the NDJSON log is the record. Every
// cell, and every column name, goes through csvsafe.Neutralize, so a value
// a sender wrote as =HYPERLINK(...) is text in a spreadsheet, not a
// formula; the log keeps it exact.
//
// # Write-back rules
//
// A rules file (LoadRules) says which fields to write back when a field
// changes, the way the documentation's example answers {"UserId": "6553"}.
// Loops are refused when the rules are loaded (a rule may not set a field
// that a rule for the same records triggers on), and a field already at the
// value a rule wants is not sent, so an answer never causes a change that
// would trigger a rule again.
package webhook
