// Command minicrm-bulk moves data in and out of MiniCRM in bulk: imports from
// CSV/XLSX through the REST API, XML sync feeds, exports, and a local
// emulator of the MiniCRM API (the sandbox) to rehearse all of it.
//
// This package is flags and wiring only; the work is done in the library
// packages (sandbox, restapi, pipeline, mapping, xmlfeed…).
package main
