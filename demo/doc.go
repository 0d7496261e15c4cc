// Package demo is what `minicrm-bulk demo` (and `make demo`) shows: an
// embedded sandbox, a walk through the API with the paced, retrying client,
// the example mappings checked row by row, both examples imported (and the
// first again, writing nothing), an XML sync feed built, pushed and
// applied, and everything exported to XLSX and CSV. Run writes the story to
// an io.Writer and the outputs to a directory; it is the library's tour,
// calling the same functions the commands do.
package demo
