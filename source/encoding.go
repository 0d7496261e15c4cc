package source

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// textEncoding is how the bytes of a CSV file become UTF-8 text.
type textEncoding struct {
	name    string            // canonical name, as Detected reports it
	enc     encoding.Encoding // nil: the bytes are UTF-8 already
	bomLen  int               // bytes of byte order mark to skip
	guessed bool              // chosen by the heuristic, not by a BOM or an option
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

var (
	utf16LE = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16BE = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
)

// encodingByName resolves Options.Encoding. "utf-16" gives utf-16le here;
// the caller lets a big-endian BOM win.
func encodingByName(label string) (string, encoding.Encoding, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.ReplaceAll(l, "_", "-")
	switch l {
	case "utf-8", "utf8", "utf-8-bom", "utf-8-sig", "ascii", "us-ascii":
		return "utf-8", nil, nil
	case "utf-16", "utf16", "utf-16le", "utf16le", "ucs-2", "unicode":
		return "utf-16le", utf16LE, nil
	case "utf-16be", "utf16be":
		return "utf-16be", utf16BE, nil
	case "windows-1250", "cp1250", "1250", "win1250", "ansi", "x-cp1250":
		return "windows-1250", charmap.Windows1250, nil
	case "iso-8859-2", "iso8859-2", "latin2", "latin-2", "l2":
		return "iso-8859-2", charmap.ISO8859_2, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		// Real ISO-8859-1, not WHATWG's alias of it for windows-1252.
		return "iso-8859-1", charmap.ISO8859_1, nil
	case "windows-1252", "cp1252", "1252":
		return "windows-1252", charmap.Windows1252, nil
	}
	enc, err := htmlindex.Get(l)
	if err != nil {
		return "", nil, fmt.Errorf("unknown encoding %q (try utf-8, utf-16, windows-1250 or iso-8859-2)", label)
	}
	name, _ := htmlindex.Name(enc)
	if name == "utf-8" {
		return "utf-8", nil, nil
	}
	return name, enc, nil
}

// detectEncoding decides how to decode a CSV file:
//
//  1. Options.Encoding, when given, wins (a BOM of that encoding is skipped).
//  2. A byte order mark: UTF-8 (EF BB BF), UTF-16LE (FF FE), UTF-16BE (FE FF).
//  3. UTF-16 without a BOM, recognised by the zero bytes that ASCII text has
//     in every other position.
//  4. Bytes that are valid UTF-8 → UTF-8. The check starts at the first byte
//     above 127, wherever it is in the file: an export whose first thousand
//     rows are plain ASCII is still told apart correctly.
//  5. Otherwise windows-1250.
//
// Why windows-1250 and not ISO-8859-2: Hungarian Excel's "CSV (comma
// delimited)" writes the Windows "ANSI" code page of a Hungarian Windows,
// which is 1250; ISO-8859-2 mostly comes from old Unix systems. For
// Hungarian letters the two agree byte for byte: ő is F5, ű is FB, Ő is D5,
// Ű is DB, and á é í ó ö ú ü are the same too. The trouble with ő and ű is
// with Latin-1 and windows-1252, where F5/FB/D5/DB are õ û Õ Û — the
// classic "Kovács Lõrinc" mojibake — so those are never guessed. Where 1250
// and 8859-2 differ is 80–9F (1250 has „ ” – — € there, which Excel
// produces by autocorrect; in 8859-2 they are control codes that no text
// holds) and a few letters (Š š Ś ś Ť ť Ź ź Ž ž Ą ą). So reading an 8859-2
// file as 1250 can only garble those rare letters, while reading a 1250
// file as 8859-2 would turn every typographic quote and dash into a
// control character. Options.Encoding "iso-8859-2" settles the rare case.
func detectEncoding(name string, ra io.ReaderAt, size int64, option string) (textEncoding, error) {
	head := make([]byte, min(size, sniffBytes))
	n, err := ra.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return textEncoding{}, fmt.Errorf("%s: %w", name, err)
	}
	head = head[:n]
	if len(head) == 0 {
		return textEncoding{}, fmt.Errorf("%s: %w", name, ErrEmpty)
	}

	var te textEncoding
	switch {
	case option != "":
		cname, enc, err := encodingByName(option)
		if err != nil {
			return te, fmt.Errorf("%s: %w", name, err)
		}
		te = textEncoding{name: cname, enc: enc}
		switch {
		case cname == "utf-8" && bytes.HasPrefix(head, bomUTF8):
			te.bomLen = 3
		case strings.HasPrefix(cname, "utf-16") && bytes.HasPrefix(head, bomUTF16LE):
			te = textEncoding{name: "utf-16le", enc: utf16LE, bomLen: 2}
		case strings.HasPrefix(cname, "utf-16") && bytes.HasPrefix(head, bomUTF16BE):
			te = textEncoding{name: "utf-16be", enc: utf16BE, bomLen: 2}
		}
	case bytes.HasPrefix(head, bomUTF8):
		te = textEncoding{name: "utf-8", bomLen: 3}
	case bytes.HasPrefix(head, bomUTF16LE):
		te = textEncoding{name: "utf-16le", enc: utf16LE, bomLen: 2}
	case bytes.HasPrefix(head, bomUTF16BE):
		te = textEncoding{name: "utf-16be", enc: utf16BE, bomLen: 2}
	default:
		if e, ok := sniffUTF16(head); ok {
			te = e
			break
		}
		if i := bytes.IndexByte(head, 0); i >= 0 {
			return te, binaryError(name, i)
		}
		te, err = guess8bit(ra, size, head)
		if err != nil {
			return te, fmt.Errorf("%s: %w", name, err)
		}
	}

	// Binary junk: text has no NUL characters.
	body := head[te.bomLen:]
	if te.enc == utf16LE || te.enc == utf16BE {
		for i := 0; i+1 < len(body); i += 2 {
			if body[i] == 0 && body[i+1] == 0 {
				return te, binaryError(name, te.bomLen+i)
			}
		}
	} else if i := bytes.IndexByte(body, 0); i >= 0 && isASCIICompatible(te) {
		return te, binaryError(name, te.bomLen+i)
	}
	return te, nil
}

func isASCIICompatible(te textEncoding) bool {
	return te.enc != utf16LE && te.enc != utf16BE
}

func binaryError(name string, offset int) error {
	return fmt.Errorf("%s: %w: it holds binary data (a NUL byte at byte %d); is it the right file? A CSV file is plain text", name, ErrNotText, offset+1)
}

// sniffUTF16 recognises UTF-16 without a BOM: mostly-ASCII text has a zero
// byte in every other position.
func sniffUTF16(head []byte) (textEncoding, bool) {
	n := min(len(head), 4096) &^ 1
	if n < 4 {
		return textEncoding{}, false
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	pairs := n / 2
	switch {
	case zeroOdd*10 >= pairs*4 && zeroEven*20 < pairs:
		return textEncoding{name: "utf-16le", enc: utf16LE, guessed: true}, true
	case zeroEven*10 >= pairs*4 && zeroOdd*20 < pairs:
		return textEncoding{name: "utf-16be", enc: utf16BE, guessed: true}, true
	}
	return textEncoding{}, false
}

// guess8bit: valid UTF-8 (checked from the first non-ASCII byte on) or
// windows-1250. A file that is ASCII throughout is UTF-8.
func guess8bit(ra io.ReaderAt, size int64, head []byte) (textEncoding, error) {
	utf8Enc := textEncoding{name: "utf-8", guessed: true}
	win1250 := textEncoding{name: "windows-1250", enc: charmap.Windows1250, guessed: true}

	window := head
	pos := int64(0)
	for {
		if i := indexNonASCII(window); i >= 0 {
			pos += int64(i)
			break
		}
		pos += int64(len(window))
		if pos >= size {
			return utf8Enc, nil
		}
		buf := make([]byte, min(size-pos, sniffBytes))
		n, err := ra.ReadAt(buf, pos)
		if err != nil && err != io.EOF {
			return textEncoding{}, err
		}
		if n == 0 {
			return utf8Enc, nil
		}
		window = buf[:n]
	}
	buf := make([]byte, min(size-pos, sniffBytes))
	n, err := ra.ReadAt(buf, pos)
	if err != nil && err != io.EOF {
		return textEncoding{}, err
	}
	buf = buf[:n]
	if pos+int64(n) < size {
		// The window may end inside a character: drop an incomplete tail.
		for k := 1; k <= 3 && k <= len(buf); k++ {
			if utf8.RuneStart(buf[len(buf)-k]) {
				if !utf8.FullRune(buf[len(buf)-k:]) {
					buf = buf[:len(buf)-k]
				}
				break
			}
		}
	}
	if utf8.Valid(buf) {
		return utf8Enc, nil
	}
	// Valid UTF-8 letters first, then bytes that are not UTF-8: two files
	// pasted together, or a row typed in another program. Reading it all as
	// windows-1250 would garble the UTF-8 part (headers included) without a
	// word; say where the encoding changes instead.
	if k := firstInvalidUTF8(buf); k > 0 && indexNonASCII(buf[:k]) >= 0 {
		line, err := lineAt(ra, pos+int64(k))
		if err != nil {
			return textEncoding{}, err
		}
		return textEncoding{}, fmt.Errorf("%w: line %d is not UTF-8 (byte 0x%02X at byte %d) while the lines before it are; "+
			"save the whole file in one encoding (\"CSV UTF-8\" in Excel)", ErrMixedEncoding, line, buf[k], pos+int64(k))
	}
	return win1250, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(ra io.ReaderAt, off int64) (int, error) {
	line := 1
	buf := make([]byte, 32<<10)
	for pos := int64(0); pos < off; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), off-pos)], pos)
		line += bytes.Count(buf[:n], []byte{'\n'})
		pos += int64(n)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if n == 0 {
			break
		}
	}
	return line, nil
}

func indexNonASCII(b []byte) int {
	for i, c := range b {
		if c >= 0x80 {
			return i
		}
	}
	return -1
}

// crToLF turns the lone CR line ends of old Mac files into LF.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
