// Package xmllimit bounds the memory encoding/xml needs for one token.
//
// encoding/xml holds each token whole: a text run, an attribute, a comment
// or a CDATA section is read into memory before the caller sees any of it.
// A workbook of 1 MB can hold a cell of 1 GiB (XML of one repeated letter
// compresses a thousandfold), and a decoder asked for its next token would
// allocate all of it. Reader sits between the (decompressed) bytes and the
// decoder and keeps every token small:
//
//   - a text run (the characters between two tags) longer than the limit is
//     cut after about limit bytes, at a character boundary and never inside
//     an entity such as &amp;; the rest of the run is dropped and the
//     processing instruction <?xmllimit-cut?> stands in its place. The
//     decoder sees a well-formed document, and the caller, which sees the
//     instruction (xml.ProcInst with Target CutTarget), knows the value is
//     incomplete and goes on reading;
//   - a tag (with its attributes), comment, CDATA section, processing
//     instruction or DOCTYPE longer than the limit ends the reading with a
//     *TooLongError: those cannot be cut without changing the document.
//
// Memory stays near the limit whatever the input; the work stays linear.
package xmllimit
