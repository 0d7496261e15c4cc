// Package redact writes URLs for messages without what may be a secret in
// them: the user and password (https://user:pass@host/), the query's values
// (https://host/?key=...) and the fragment. net/url's Redacted hides only
// the password; a MINICRM_URL with ?apikey=... or a feed address with a
// token in its query would otherwise be echoed in an error.
package redact
