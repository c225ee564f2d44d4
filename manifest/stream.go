package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Document is one document of a stream, cut by a Splitter: its text with
// line ends normalised (CRLF to LF; in a JSON stream, tabs to spaces), the
// stream line its first line is on, and the template a Helm "# Source:"
// comment names for it.
type Document struct {
	Text   []byte
	Start  int
	Source string
}

// Splitter cuts a YAML or JSON stream into documents while reading it, so
// that a stream of any size is held one document at a time. It cuts
// exactly where Parse cuts (at column-0 "---" and after "..." lines;
// comments and directives alone are joined to the next document) and
// normalises each document as Parse normalises the whole stream: a BOM at
// the start is dropped, CRLF becomes LF, and when the stream looks like
// JSON tabs become spaces and trailing commas are counted (Commas).
type Splitter struct {
	r io.Reader
	// buf[doc:pos] is the document being gathered, buf[pos:end] read
	// but not yet cut into lines.
	buf             []byte
	doc, pos, end   int
	eof, started    bool
	err             error
	line            int // number of the next line
	docStart        int // line of the document's first line
	source          string
	content         bool
	jsonKnown, json bool
	commas          commaScan
}

// readSize is what one Read asks for: large enough that a read costs
// little per byte, small against the documents held in flight.
const readSize = 256 << 10

// NewSplitter returns a splitter reading r.
func NewSplitter(r io.Reader) *Splitter {
	return &Splitter{r: r, line: 1, docStart: 1, commas: newCommaScan()}
}

// Reset makes the splitter read a new stream from its start, keeping its
// buffer: one splitter reads many small files without allocating for each.
func (s *Splitter) Reset(r io.Reader) {
	buf := s.buf
	*s = Splitter{r: r, buf: buf, line: 1, docStart: 1, commas: newCommaScan()}
}

// Line is the line the splitter has read up to: where a read error
// happened.
func (s *Splitter) Line() int { return s.line }

// Next returns the next document. At the end of the stream it returns
// io.EOF; a read error is returned as it is, and the document being read
// when it happened is lost.
func (s *Splitter) Next() (Document, error) {
	for {
		if s.err != nil {
			return Document{}, s.err
		}
		start, l, nl, ok := s.readLine()
		if !ok {
			if s.err != nil {
				return Document{}, s.err
			}
			// End of stream.
			s.err = io.EOF
			if s.content {
				return s.take(s.end, s.end, s.line), nil
			}
			return Document{}, io.EOF
		}
		if d, ok := s.addLine(start, l, nl); ok {
			return d, nil
		}
	}
}

// Commas returns the trailing-comma error of a JSON stream read to its
// end, as Parse reports it (nil when there is none).
func (s *Splitter) Commas(name string) []Error {
	return s.commas.errors(name)
}

// take hands over buf[doc:end], normalised, and starts the next document
// at next, on line.
func (s *Splitter) take(end, next, line int) Document {
	text := make([]byte, end-s.doc)
	copy(text, s.buf[s.doc:end])
	d := Document{Text: crlf(text), Start: s.docStart, Source: s.source}
	s.doc, s.docStart, s.source, s.content = next, line, "", false
	return d
}

// crlf turns CRLF line ends into LF in place; a lone CR stays.
func crlf(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	j := i
	for ; i < len(b); i++ {
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		b[j] = b[i]
		j++
	}
	return b[:j]
}

// addLine handles one line that starts at buf[start] (l is the line
// without its line end; nl says whether it had one) and returns a
// document when the line completes one.
func (s *Splitter) addLine(start int, l []byte, nl bool) (Document, bool) {
	ln := s.line
	s.line++
	if !s.jsonKnown {
		if t := bytes.TrimLeft(l, " \t"); len(t) > 0 {
			s.jsonKnown, s.json = true, t[0] == '{' || t[0] == '['
			if s.json {
				// The blank lines before count as JSON too.
				blank := s.buf[s.doc:start]
				replaceTabs(blank)
				for i, b := range blank {
					if b != '\r' || i+1 == len(blank) || blank[i+1] != '\n' {
						s.commas.byte(b)
					}
				}
			}
		}
	}
	if s.json {
		replaceTabs(l)
		s.commas.scan(l, nl)
	}
	switch {
	case isMarker(l, "---"):
		// The marker line opens the next document.
		if s.content {
			return s.take(start, start, ln), true
		}
	case isMarker(l, "..."):
		var d Document
		if s.content {
			d = s.take(s.pos, s.pos, ln+1)
		}
		// A "..." after comments alone drops them with it.
		s.doc, s.docStart, s.source = s.pos, ln+1, ""
		return d, d.Text != nil
	default:
		t := bytes.TrimLeft(l, " \t")
		switch {
		case len(t) == 0:
		case t[0] == '#':
			if !s.content {
				if src, ok := bytes.CutPrefix(t, []byte("# Source: ")); ok {
					s.source = string(bytes.TrimSpace(src))
				}
			}
		case t[0] == '%' && len(t) == len(l):
		default:
			s.content = true
		}
	}
	return Document{}, false
}

func replaceTabs(b []byte) {
	for i, c := range b {
		if c == '\t' {
			b[i] = ' '
		}
	}
}

// readLine returns the next line's start in buf and the line without its
// "\n" (and without the "\r" of a "\r\n"), valid until the next call; ok
// is false at the end of the stream or on a read error (s.err).
func (s *Splitter) readLine() (start int, l []byte, nl, ok bool) {
	scanned := s.pos
	for {
		if i := bytes.IndexByte(s.buf[scanned:s.end], '\n'); i >= 0 {
			i += scanned
			start, l = s.pos, s.buf[s.pos:i]
			s.pos = i + 1
			if n := len(l); n > 0 && l[n-1] == '\r' {
				l = l[:n-1]
			}
			return start, l, true, true
		}
		scanned = s.end
		if s.eof {
			if s.pos == s.end {
				return 0, nil, false, false
			}
			start, l = s.pos, s.buf[s.pos:s.end]
			s.pos = s.end
			return start, l, false, true
		}
		shift := s.doc
		s.fill()
		scanned -= shift
		if s.err != nil {
			return 0, nil, false, false
		}
	}
}

// fill reads more of the stream, moving the document being gathered to
// the front of buf.
func (s *Splitter) fill() {
	keep := s.end - s.doc
	switch {
	case len(s.buf) > 4*readSize && keep < readSize:
		// Shrink back after a long document.
		nb := make([]byte, 2*readSize)
		copy(nb, s.buf[s.doc:s.end])
		s.buf = nb
	case s.doc > 0:
		copy(s.buf, s.buf[s.doc:s.end])
	}
	s.pos -= s.doc
	s.doc, s.end = 0, keep
	if len(s.buf)-s.end < readSize {
		// Grow for a long document.
		nb := make([]byte, max(2*len(s.buf), s.end+readSize))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		if !s.started && n > 0 {
			// A byte-order mark starts the stream at most once.
			if s.end+n >= 3 || err != nil {
				s.started = true
				if bytes.HasPrefix(s.buf[:s.end+n], []byte("\xef\xbb\xbf")) {
					copy(s.buf, s.buf[3:s.end+n])
					n -= 3
				}
			}
		}
		s.end += n
		if errors.Is(err, io.EOF) {
			s.eof = true
			return
		}
		if err != nil {
			s.err = err
			return
		}
		if n > 0 && s.started {
			return
		}
	}
}

// commaScan finds commas before a closing bracket in a JSON stream (see
// trailingCommas), byte by byte across lines and documents.
type commaScan struct {
	off, line, lineStart int
	quote                byte
	// skip is set after a backslash in a double-quoted string: the next
	// byte is skipped, as trailingCommas skips it (line counting too).
	skip bool
	// pending is a comma whose next non-blank byte is not seen yet.
	pending             bool
	pLine, pCol         int
	first               byte
	firstLine, firstCol int
	n                   int
}

func newCommaScan() commaScan { return commaScan{line: 1} }

func (c *commaScan) scan(l []byte, nl bool) {
	for _, b := range l {
		c.byte(b)
	}
	if nl {
		c.byte('\n')
	}
}

func (c *commaScan) byte(b byte) {
	i := c.off
	c.off++
	if c.skip {
		c.skip = false
		return
	}
	if c.pending {
		switch b {
		case ' ', '\t', '\n', '\r':
		case '}', ']':
			if c.n == 0 {
				c.first, c.firstLine, c.firstCol = b, c.pLine, c.pCol
			}
			c.n++
			c.pending = false
		default:
			c.pending = false
		}
	}
	if b == '\n' {
		c.line, c.lineStart = c.line+1, i+1
	}
	switch {
	case c.quote == '"' && b == '\\':
		c.skip = true
	case c.quote != 0:
		if b == c.quote {
			c.quote = 0
		}
	case b == '"' || b == '\'':
		c.quote = b
	case b == ',':
		c.pending, c.pLine, c.pCol = true, c.line, i-c.lineStart+1
	}
}

func (c *commaScan) errors(name string) []Error {
	if c.n == 0 {
		return nil
	}
	msg := fmt.Sprintf("trailing comma at column %d before '%c': JSON does not allow it, and kubectl rejects the file", c.firstCol, c.first)
	switch {
	case c.n == 2:
		msg += " (1 more follows)"
	case c.n > 2:
		msg += fmt.Sprintf(" (%d more follow)", c.n-1)
	}
	return []Error{{File: name, Line: c.firstLine, Message: msg}}
}

// ParseDocument decodes the objects of one document a Splitter returned,
// as Parse decodes each document of a stream; name is the stream's name.
func ParseDocument(name string, d Document) ([]*Object, []Error) {
	p := parseChunk(name, chunk{text: d.Text, start: d.Start, source: d.Source})
	return p.objs, p.errs
}
