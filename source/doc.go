// Package source reads the spreadsheets that migrations start from — CSV
// and XLSX files — as a stream of rows, each with its location.
//
//	r, err := source.Open("clients.csv", source.Options{})
//	if err != nil { ... }            // the whole file is unusable; the error says why
//	defer r.Close()
//	log.Print(r.Detected())          // read as windows-1250, ';'-separated
//	for {
//		row, err := r.Next(ctx)
//		if err == io.EOF { break }
//		var rowErr *source.RowError
//		if errors.As(err, &rowErr) { ...; continue } // one bad row: report it, read on
//		if err != nil { ... }        // fatal
//		... row.Cells[i] belongs to r.Header()[i] ...
//	}
//
// # Streaming
//
// Memory does not grow with the file: a CSV record is at most 1 MiB, an
// XLSX sheet is read token by token straight from the ZIP. (An XLSX keeps
// its shared strings table — every distinct text of the workbook — in
// memory, as every reader of the format must.)
//
// A workbook is a ZIP, and a few MB of it can decompress to gigabytes, so
// every XLSX bound is checked while reading, never after (package
// xmllimit keeps encoding/xml from holding a token whole): a cell holds at
// most 1 MiB of text and a row 4 MiB (more is a *RowError, ErrTooLong,
// naming the cell; the reading goes on); the shared strings table may take
// 64 MiB of memory, text and index (more is ErrTooBig, naming the part);
// a tag or attribute over 1 MiB is ErrBadWorkbook; a sheet past row
// 1,048,576 or with more than 262,144 merged ranges is ErrTooBig.
//
// # Locations
//
// Every Row and every RowError carries a Location: the file as given to
// Open, the sheet for XLSX, and the line: for CSV the physical line where
// the record starts (blank lines and the lines of multi-line quoted cells
// are counted, so it is the line an editor shows), for XLSX the row number
// Excel shows. Location.String gives "clients.csv:12" or
// "clients.xlsx[Ügyfelek]:7"; a RowError adds the column, as a number for
// CSV and a letter for XLSX, with the header name:
//
//	clients.xlsx[Ügyfelek]:7: column C "Email": the cell holds the error #N/A (a lookup found no value); ...
//
// Every record after the header is exactly one of: a Row, a *RowError, or
// skipped because it is blank (a blank line, a CSV record whose cells are
// all empty such as ";;;", an XLSX row with no value of its own). So each
// source row can end in exactly one of the success, skipped or error
// outputs downstream.
//
// # Header
//
// The header is Options.HeaderRow, else it is found among the first 30
// records or rows, the same way for CSV and XLSX: the first row whose
// values are distinct texts and which the following rows keep to in width.
// Rows above it holding at most half as many values as the table has
// columns (a title, even one Excel saved as "Title;;;;", a date, a note)
// and blank rows are skipped, up to 5 of them; a wide row that is not a
// clean header is still the header, so that its problem is reported.
// Detected().HeaderRow says where it was found. Names are trimmed. Two
// columns with the same name (ignoring case) are refused when the file is
// opened, naming both positions, because mappings refer to columns by
// name: silently renaming one ("Email_2") would make a mapping pick the
// wrong one or lose it. Columns without a name are allowed (Header gives
// ""); their cells are read but no mapping can name them.
//
// # CSV
//
// Encoding, unless Options.Encoding says: a BOM (UTF-8, UTF-16LE,
// UTF-16BE); UTF-16 without BOM by its zero bytes; valid UTF-8; otherwise
// windows-1250, what Hungarian Excel writes (see detectEncoding for why not
// ISO-8859-2, and how ő/ű fare). A file with NUL bytes is "not a text/CSV
// file".
//
// Delimiter, unless Options.Delimiter says: Excel's "sep=;" first line
// (honoured and skipped), else the one of ; , tab | that splits the first
// 50 records into the same number of cells as the header most
// consistently, counting only outside quotes.
//
// Quoted cells may span lines and hold "" for a quote; CRLF, LF and old
// Mac CR line ends all work (CRLF inside a cell becomes "\n"). A quote
// inside an unquoted value (5" monitor) is taken literally. Problems that
// cost one row, reading going on with the next, are RowErrors: a row with
// more cells than the header (empty extra cells from a trailing delimiter
// are dropped silently) or fewer, text after a closing quote, a quote
// never closed (reported on the line it opens; the lines after it are read
// again as rows of their own), text not valid in the encoding. CSV cells
// are String or Empty: typing is the mapping's job.
//
// # XLSX
//
// Sheet: Options.Sheet by name or 1-based position; by default the first
// visible worksheet. Cells are typed as the workbook stores them: Number
// (with Raw in plain digits, at most 15 significant as Excel shows them),
// Date (a number with a date format, in the workbook's 1900 or 1904 date
// system, or an ISO date cell), Bool, String, Empty, and Error for error
// values (#N/A, #DIV/0!, #REF!, ...) and formulas without a saved result.
// Formulas give their cached values. An error cell does not make the row
// an error: Cell.Err is a *RowError naming the sheet, row and column,
// ready for the mapping to report if it uses that column.
//
// Merged cells: every cell of a merged range gets the value of its
// top-left cell — what the user sees, and what a migration wants when a
// "Company" cell is merged over the rows of its three contacts. (Excel
// itself stores the value only in the top-left cell.) A row whose only
// values come from merged ranges is blank. Values to the right of the
// header's last named column are a RowError, not silently dropped.
package source
