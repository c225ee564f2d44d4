package snapshot

import (
	"bytes"
	"encoding/binary"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// blockReader converts one kubectl-shaped YAML List item to JSON without
// the YAML parser, keeping only the fields podlint keeps of its kind.
//
// kubectl get -o yaml is sigs.k8s.io/yaml: JSON marshalled as block YAML,
// two spaces per level, sequence entries at their key's indent, plain,
// single- and double-quoted scalars (folded over lines past 80 columns),
// literal block scalars, and no anchors, tags or flow collections but {}
// and []. The reader knows that subset and nothing else: on anything
// outside it (flow collections with content, anchors, aliases, tags, tabs,
// comments, complex keys, odd indentation, duplicate keys, scalars whose
// YAML type it does not reproduce exactly, such as floats and
// timestamps...) it declines and the caller parses the item with
// go.yaml.in/yaml/v3 as before, so correctness never rests on it: when it
// accepts an item, yaml.v3 accepts it too and yields the same JSON (the
// tests and FuzzBlockYAML hold it to that).
//
// The whole item is read, kept or not, so that an item yaml.v3 would
// refuse is never accepted; values outside the kept fields are checked,
// not decoded (a Secret's data is scanned for its layout, never copied).
type blockReader struct {
	src   []byte
	lines []yline
	i     int // the next line to read
	depth int
	out   []byte
	// keys holds the keys of the mappings being read, innermost last, for
	// duplicate detection (yaml.v3 refuses a duplicate key); a quoted
	// key's decoded bytes are in arena.
	keys  []keyRef
	arena []byte
	tmp   []byte
}

type yline struct {
	start, end int // content, without the line break
	indent     int // leading spaces; -1 for a blank line
	newline    bool
}

type keyRef struct {
	inArena    bool
	start, end int
}

// declined is the panic value that abandons an item outside the subset.
type declined struct{}

// maxDepth bounds nesting; yaml.v3 has its own limit, and kubectl objects
// are nowhere near this deep.
const maxDepth = 64

// convert reads item (starting with "- ", as the List's lines are) and
// appends to dst the JSON of the fields tree and keep select (see
// prune). ok is false when the item is outside the subset.
func (r *blockReader) convert(dst, item []byte, t fieldTree, keep bool) (out []byte, ok bool) {
	r.src, r.out, r.i, r.depth = item, dst, 0, 0
	r.keys, r.arena = r.keys[:0], r.arena[:0]
	if !r.split() || len(r.lines) == 0 || r.lines[0].indent != 0 {
		return dst, false
	}
	first := r.lines[0]
	if first.end-first.start < 3 || item[first.start] != '-' || item[first.start+1] != ' ' || item[first.start+2] == ' ' {
		return dst, false
	}
	// The item is a mapping whose first key follows "- ", and whose
	// other keys are at indent 2.
	if !r.isKeyAt(0, first.start+2) {
		return dst, false
	}
	defer func() {
		if e := recover(); e != nil {
			if _, outside := e.(declined); !outside {
				panic(e)
			}
			out, ok = dst, false
		}
	}()
	r.mapping(0, 2, modeSub, t, keep)
	if r.nextLine() != len(r.lines) {
		return dst, false
	}
	return r.out, true
}

// decline abandons the item; convert recovers.
func (r *blockReader) decline() { panic(declined{}) }

// split indexes the item's lines and checks every byte: yaml.v3 accepts
// only printable characters, and the reader no tabs, lone carriage
// returns or the Unicode line breaks.
func (r *blockReader) split() bool {
	r.lines = r.lines[:0]
	src := r.src
	for pos := 0; pos < len(src); {
		end := bytes.IndexByte(src[pos:], '\n')
		next := len(src)
		nl := end >= 0
		if nl {
			end += pos
			next = end + 1
		} else {
			end = len(src)
		}
		if end > pos && src[end-1] == '\r' && nl {
			end--
		}
		l := yline{start: pos, end: end, newline: nl}
		j := pos
		for j < end && src[j] == ' ' {
			j++
		}
		l.indent = j - pos
		if j == end {
			l.indent = -1
		}
		// Printable ASCII eight bytes at a time; the rest byte by byte.
		for j+8 <= end && printableASCII(binary.LittleEndian.Uint64(src[j:])) {
			j += 8
		}
		for j < end {
			c := src[j]
			switch {
			case c >= 0x20 && c <= 0x7e:
				j++
			case c < 0x80:
				return false
			default:
				ru, n := utf8.DecodeRune(src[j:end])
				if ru == utf8.RuneError || ru < 0xa0 || ru == 0x2028 || ru == 0x2029 || ru == 0xfeff ||
					(ru > 0xd7ff && ru < 0xe000) || ru > 0xfffd && ru < 0x10000 {
					return false
				}
				j += n
			}
		}
		r.lines = append(r.lines, l)
		pos = next
	}
	return true
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// printableASCII reports whether the eight bytes of w are all in 0x20 to
// 0x7e.
func printableASCII(w uint64) bool {
	below := (w - 0x20*ones) & ^w & highs // a byte under 0x20
	del := w ^ 0x7f*ones                  // zero where a byte is 0x7f
	return w&highs == 0 && below == 0 && (del-ones)&^del&highs == 0
}

// nextLine skips blank lines; it returns the index of the next line with
// content, or len(lines).
func (r *blockReader) nextLine() int {
	for r.i < len(r.lines) && r.lines[r.i].indent < 0 {
		r.i++
	}
	return r.i
}

// isSeqAt reports whether the text at pos (on line li) is a sequence
// entry: "-" then a space or the end of the line.
func (r *blockReader) isSeqAt(li, pos int) bool {
	end := r.lines[li].end
	return pos < end && r.src[pos] == '-' && (pos+1 == end || r.src[pos+1] == ' ')
}

// isKeyAt reports whether the text at pos starts a "key:" entry rather
// than a scalar; key validates it.
func (r *blockReader) isKeyAt(li, pos int) bool {
	end := r.lines[li].end
	if pos >= end {
		return false
	}
	switch r.src[pos] {
	case '"', '\'':
		return r.quotedKeyAhead(li, pos)
	}
	s := r.src[pos:end]
	return s[len(s)-1] == ':' || hasMappingValue(s)
}

const (
	modeSkip  = iota // read and checked, not output
	modeWhole        // output whole
	modeSub          // output the fields of a field tree
)

// child is the mode of the value of key k in a mapping read in mode.
func child(mode int, t fieldTree, keep bool, k []byte) (int, fieldTree) {
	if mode != modeSub {
		return mode, nil
	}
	s, in := t[string(k)]
	switch {
	case keep && !in, !keep && in && s == nil:
		return modeSkip, nil
	case s == nil:
		return modeWhole, nil
	}
	return modeSub, s
}

// mapping reads a block mapping whose keys are at column col; the first
// key is on line li (after a "- " on an entry's first line, or at the
// line's indent). In modeSub, t and keep select the fields output, as
// prune does for JSON.
func (r *blockReader) mapping(li, col int, mode int, t fieldTree, keep bool) {
	r.depth++
	if r.depth > maxDepth {
		r.decline()
	}
	mark := len(r.keys)
	if mode != modeSkip {
		r.out = append(r.out, '{')
	}
	n := 0
	for {
		key, after := r.key(li, r.lines[li].start+col)
		r.dupCheck(mark, key)
		kb := r.keyBytes(key)
		m, sub := child(mode, t, keep, kb)
		if m != modeSkip {
			if n > 0 {
				r.out = append(r.out, ',')
			}
			n++
			r.out = appendJSONString(r.out, kb)
			r.out = append(r.out, ':')
		}
		r.value(li, after, col, m, sub, keep)
		ni := r.nextLine()
		if ni == len(r.lines) {
			break
		}
		l := r.lines[ni]
		if l.indent < col {
			break
		}
		// Deeper: a multi-line scalar or bad indentation; a sequence
		// entry here follows a value that is not a sequence.
		if l.indent > col || r.isSeqAt(ni, l.start+col) {
			r.decline()
		}
		li = ni
	}
	if mode != modeSkip {
		r.out = append(r.out, '}')
	}
	r.keys = r.keys[:mark]
	r.depth--
}

// value reads the value of a mapping key at column col; it starts at pos
// on line li, or, when pos is the end of the line, on the next lines
// (else it is null).
func (r *blockReader) value(li, pos, col int, mode int, sub fieldTree, keep bool) {
	r.i = li + 1
	if pos < r.lines[li].end {
		r.scalar(li, pos, col, mode)
		return
	}
	ni := r.nextLine()
	if ni == len(r.lines) {
		r.null(mode)
		return
	}
	n := r.lines[ni]
	switch {
	case n.indent == col && r.isSeqAt(ni, n.start+col):
		r.sequence(ni, col, mode)
	case n.indent > col:
		r.node(ni, n.indent, mode, sub, keep)
	default:
		r.null(mode)
	}
}

func (r *blockReader) null(mode int) {
	if mode != modeSkip {
		r.out = append(r.out, "null"...)
	}
}

// node reads a collection that starts at column col of line li.
func (r *blockReader) node(li, col int, mode int, sub fieldTree, keep bool) {
	pos := r.lines[li].start + col
	switch {
	case r.isSeqAt(li, pos):
		r.sequence(li, col, mode)
	case r.isKeyAt(li, pos):
		r.mapping(li, col, mode, sub, keep)
	default:
		// A scalar on a line of its own: a multi-line plain scalar.
		r.decline()
	}
}

// sequence reads block sequence entries at column col, the first on line
// li. Entries are output whole or not at all: the field trees have no
// paths through sequences.
func (r *blockReader) sequence(li, col int, mode int) {
	r.depth++
	if r.depth > maxDepth {
		r.decline()
	}
	if mode == modeSub {
		mode = modeWhole
	}
	if mode != modeSkip {
		r.out = append(r.out, '[')
	}
	for n := 0; ; n++ {
		l := r.lines[li]
		pos := l.start + col + 1 // after "-"
		for pos < l.end && r.src[pos] == ' ' {
			pos++
		}
		if mode != modeSkip && n > 0 {
			r.out = append(r.out, ',')
		}
		r.i = li + 1
		switch {
		case pos == l.end:
			ni := r.nextLine()
			if ni < len(r.lines) && r.lines[ni].indent > col {
				r.node(ni, r.lines[ni].indent, mode, nil, false)
			} else {
				r.null(mode)
			}
		case r.isSeqAt(li, pos):
			// "- - a": a sequence in a sequence.
			r.sequence(li, pos-l.start, mode)
		case r.isKeyAt(li, pos):
			r.mapping(li, pos-l.start, mode, nil, false)
		default:
			r.scalar(li, pos, col, mode)
		}
		ni := r.nextLine()
		if ni == len(r.lines) {
			break
		}
		nl := r.lines[ni]
		if nl.indent < col || nl.indent == col && !r.isSeqAt(ni, nl.start+col) {
			break
		}
		if nl.indent > col {
			r.decline()
		}
		li = ni
	}
	if mode != modeSkip {
		r.out = append(r.out, ']')
	}
	r.depth--
}

// quotedKeyAhead reports whether a quoted scalar at pos is a key (its
// closing quote followed by ':').
func (r *blockReader) quotedKeyAhead(li, pos int) bool {
	end := r.lines[li].end
	q := r.src[pos]
	for j := pos + 1; j < end; j++ {
		switch c := r.src[j]; {
		case c == '\\' && q == '"':
			j++
		case c == q && q == '\'' && j+1 < end && r.src[j+1] == '\'':
			j++
		case c == q:
			rest := bytes.TrimLeft(r.src[j+1:end], " ")
			return len(rest) > 0 && rest[0] == ':'
		}
	}
	return false
}

// key reads the key at pos on line li and returns it with the position
// of its value (after ": ", or the end of the line after "key:").
func (r *blockReader) key(li, pos int) (keyRef, int) {
	end := r.lines[li].end
	src := r.src
	var k keyRef
	var after int
	switch src[pos] {
	case '"', '\'':
		start := len(r.arena)
		var closeAt int
		r.arena, _, closeAt = r.quoted(r.arena, li, pos, 0, true, false)
		k = keyRef{inArena: true, start: start, end: len(r.arena)}
		after = closeAt + 1
		if after >= end || src[after] != ':' {
			r.decline()
		}
	default:
		c := bytes.IndexByte(src[pos:end], ':')
		for c >= 0 && pos+c+1 < end && src[pos+c+1] != ' ' {
			n := bytes.IndexByte(src[pos+c+1:end], ':')
			if n < 0 {
				c = -1
				break
			}
			c += n + 1
		}
		if c <= 0 {
			r.decline()
		}
		kb := src[pos : pos+c]
		if !plainStringKey(kb) {
			r.decline()
		}
		k = keyRef{start: pos, end: pos + c}
		after = pos + c
	}
	if k.end-k.start > 1000 {
		// yaml.v3 limits implicit keys to 1024 characters.
		r.decline()
	}
	// after is at ':'.
	after++
	if after < end {
		if src[after] != ' ' {
			r.decline()
		}
		for after < end && src[after] == ' ' {
			after++
		}
	}
	return k, after
}

func (r *blockReader) keyBytes(k keyRef) []byte {
	if k.inArena {
		return r.arena[k.start:k.end]
	}
	return r.src[k.start:k.end]
}

// dupCheck declines a key already in the mapping whose keys start at
// r.keys[mark]; yaml.v3 refuses it. It records the key.
func (r *blockReader) dupCheck(mark int, k keyRef) {
	kb := r.keyBytes(k)
	for _, o := range r.keys[mark:] {
		if bytes.Equal(r.keyBytes(o), kb) {
			r.decline()
		}
	}
	r.keys = append(r.keys, k)
}

// scalar reads a scalar that starts at pos on line li, the value of a
// key or entry at column col: plain or quoted (continued on lines deeper
// than col, folded as YAML folds them: kubectl breaks long strings with
// spaces at 80 columns), an empty flow collection, or a block scalar.
func (r *blockReader) scalar(li, pos, col int, mode int) {
	emit := mode != modeSkip
	end := r.lines[li].end
	s := bytes.TrimRight(r.src[pos:end], " ")
	switch s[0] {
	case '|', '>':
		r.blockScalar(s, col, emit)
		return
	case '"', '\'':
		r.tmp = r.tmp[:0]
		var cl, closeAt int
		r.tmp, cl, closeAt = r.quoted(r.tmp, li, pos, col, emit, true)
		// Nothing after the closing quote.
		if l := r.lines[cl]; len(bytes.TrimRight(r.src[closeAt+1:l.end], " ")) > 0 {
			r.decline()
		}
		r.i = cl + 1
		if emit {
			r.out = appendJSONString(r.out, r.tmp)
		}
		return
	case '{', '[':
		if string(s) == "{}" || string(s) == "[]" {
			if emit {
				r.out = append(r.out, s...)
			}
			return
		}
		r.decline()
	}
	if !plainOK(s) {
		r.decline()
	}
	// Continuation lines, deeper than col; blank lines between them are
	// line feeds.
	r.tmp = append(r.tmp[:0], s...)
	multi := false
	for j := li + 1; ; {
		ni := j
		for ni < len(r.lines) && r.lines[ni].indent < 0 {
			ni++
		}
		if ni == len(r.lines) || r.lines[ni].indent <= col {
			break
		}
		l := r.lines[ni]
		c := bytes.TrimRight(r.src[l.start+l.indent:l.end], " ")
		if c[0] == '#' || c[len(c)-1] == ':' || hasMappingValue(c) || hasComment(c) {
			r.decline()
		}
		if emit {
			r.tmp = foldBreaks(r.tmp, ni-j, false)
			r.tmp = append(r.tmp, c...)
		}
		multi = true
		j = ni + 1
		r.i = j
	}
	if !emit {
		if !plainSkippable(s) {
			r.decline()
		}
		return
	}
	if multi && maybeTimestamp(r.tmp) {
		r.decline()
	}
	j, ok := plainJSON(r.out, r.tmp)
	if !ok {
		r.decline()
	}
	r.out = j
}

// foldBreaks appends what YAML's flow folding makes of a line break
// followed by blank blank lines: a space, or that many line feeds; after an
// escaped line break, only the line feeds.
func foldBreaks(dst []byte, blank int, escaped bool) []byte {
	if blank == 0 && !escaped {
		return append(dst, ' ')
	}
	for range blank {
		dst = append(dst, '\n')
	}
	return dst
}

// quoted reads the quoted scalar at pos on line li, appending its value
// to dst, or only checks it when decode is false (a value not kept: a
// Secret's data is never decoded). With multi, it may continue on lines
// deeper than col, folded. It returns the line and position of the
// closing quote.
func (r *blockReader) quoted(dst []byte, li, pos, col int, decode, multi bool) ([]byte, int, int) {
	src := r.src
	q := src[pos]
	l := r.lines[li]
	j := pos + 1
	for {
		from := j // the run of bytes not yet appended
		escapedBreak := false
	line:
		for j < l.end {
			c := src[j]
			switch {
			case c == '\'' && q == '\'':
				if decode {
					dst = append(dst, src[from:j]...)
				}
				if j+1 < l.end && src[j+1] == '\'' {
					// '' is a quote; the second starts the next run.
					j++
					from = j
					j++
					continue
				}
				return dst, li, j
			case c == '"' && q == '"':
				if decode {
					dst = append(dst, src[from:j]...)
				}
				return dst, li, j
			case c == '\\' && q == '"':
				if decode {
					dst = append(dst, src[from:j]...)
				}
				if j+1 == l.end {
					escapedBreak = true
					from = l.end
					break line
				}
				var scratch [8]byte
				out, last, ok := unescape(scratch[:0], src[:l.end], j+1)
				if !ok {
					r.decline()
				}
				if decode {
					dst = append(dst, out...)
				}
				j = last + 1
				from = j
			default:
				j++
			}
		}
		// The end of the line, inside the quotes: trailing spaces go,
		// and the break folds with the blank lines after it.
		if !multi {
			r.decline()
		}
		if decode && !escapedBreak {
			dst = append(dst, bytes.TrimRight(src[from:l.end], " ")...)
		}
		ni := li + 1
		for ni < len(r.lines) && r.lines[ni].indent < 0 {
			ni++
		}
		if ni == len(r.lines) || r.lines[ni].indent <= col {
			r.decline()
		}
		if decode {
			dst = foldBreaks(dst, ni-li-1, escapedBreak)
		}
		li, l = ni, r.lines[ni]
		j = l.start + l.indent
	}
}

// unescape decodes the escape whose letter is at src[j] (after the
// backslash) as yaml.v3 does; it returns the index of its last byte.
func unescape(dst, src []byte, j int) ([]byte, int, bool) {
	var n int
	switch src[j] {
	case '0':
		return append(dst, 0), j, true
	case 'a':
		return append(dst, '\a'), j, true
	case 'b':
		return append(dst, '\b'), j, true
	case 't', '\t':
		return append(dst, '\t'), j, true
	case 'n':
		return append(dst, '\n'), j, true
	case 'v':
		return append(dst, '\v'), j, true
	case 'f':
		return append(dst, '\f'), j, true
	case 'r':
		return append(dst, '\r'), j, true
	case 'e':
		return append(dst, 0x1b), j, true
	case ' ':
		return append(dst, ' '), j, true
	case '"':
		return append(dst, '"'), j, true
	case '/':
		return append(dst, '/'), j, true
	case '\\':
		return append(dst, '\\'), j, true
	case 'N':
		return utf8.AppendRune(dst, 0x85), j, true
	case '_':
		return utf8.AppendRune(dst, 0xa0), j, true
	case 'L':
		return utf8.AppendRune(dst, 0x2028), j, true
	case 'P':
		return utf8.AppendRune(dst, 0x2029), j, true
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return dst, j, false
	}
	if j+n >= len(src) {
		return dst, j, false
	}
	v, err := strconv.ParseUint(string(src[j+1:j+1+n]), 16, 32)
	if err != nil || v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
		return dst, j, false
	}
	return utf8.AppendRune(dst, rune(v)), j + n, true
}

// blockScalar reads a "|" or ">" scalar whose header is h, the value of a
// key or entry at column col; its lines are deeper.
func (r *blockReader) blockScalar(h []byte, col int, emit bool) {
	h = bytes.TrimRight(h, " ")
	folded := h[0] == '>'
	chomp, explicit := byte(0), 0
	for _, c := range h[1:] {
		switch {
		case (c == '-' || c == '+') && chomp == 0:
			chomp = c
		case c >= '1' && c <= '9' && explicit == 0:
			explicit = int(c - '0')
		default:
			// Comments, and headers yaml.v3 refuses.
			r.decline()
		}
	}
	// Content lines: the first non-blank line sets the indent, unless
	// the header does (relative to the parent's column, as yaml.v3
	// counts it).
	start := r.i
	indent := -1
	maxBlank := 0
	for j := start; j < len(r.lines); j++ {
		l := r.lines[j]
		if l.indent < 0 {
			maxBlank = max(maxBlank, l.end-l.start)
			continue
		}
		indent = l.indent
		break
	}
	switch {
	case explicit > 0:
		if indent < col+explicit {
			r.decline()
		}
		indent = col + explicit
	case indent < col+2:
		// Empty (or oddly indented) block scalars: rare; yaml.v3 decides.
		r.decline()
	}
	if maxBlank > indent {
		r.decline()
	}
	r.tmp = r.tmp[:0]
	pendingBreaks := 0 // blank lines since the last content line
	lastNL := true
	seen := false
	j := start
	for ; j < len(r.lines); j++ {
		l := r.lines[j]
		if l.indent < 0 {
			if l.end-l.start > indent {
				// Spaces beyond the indent are content.
				r.decline()
			}
			pendingBreaks++
			lastNL = l.newline
			continue
		}
		if l.indent < indent {
			break
		}
		line := r.src[l.start+indent : l.end]
		if folded && line[0] == ' ' {
			// More-indented lines of a folded scalar keep their breaks.
			r.decline()
		}
		if emit {
			switch {
			case !seen:
			case !folded:
				r.tmp = append(r.tmp, '\n')
			case pendingBreaks == 0:
				// Folding: a single line break between lines is a
				// space, and n+1 breaks are n newlines.
				r.tmp = append(r.tmp, ' ')
			}
			for range pendingBreaks {
				r.tmp = append(r.tmp, '\n')
			}
			r.tmp = append(r.tmp, line...)
		}
		pendingBreaks = 0
		seen = true
		lastNL = l.newline
	}
	if !lastNL {
		// The item's last line has no line break.
		r.decline()
	}
	r.i = j
	if !emit {
		return
	}
	// Blank lines at the end belong to the scalar (keep) or are dropped.
	switch chomp {
	case 0:
		r.tmp = append(r.tmp, '\n')
	case '+':
		r.tmp = append(r.tmp, '\n')
		for range pendingBreaks {
			r.tmp = append(r.tmp, '\n')
		}
	}
	r.out = appendJSONString(r.out, r.tmp)
}

// plainOK reports whether s (trimmed) is a one-line plain scalar in block
// context: no indicator first, no ": " or " #" inside, no ':' last.
func plainOK(s []byte) bool {
	switch s[0] {
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' {
			return false
		}
		if s[0] != '-' {
			return false
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return s[len(s)-1] != ':' && !hasMappingValue(s) && !hasComment(s)
}

// hasMappingValue reports whether s holds ": ".
func hasMappingValue(s []byte) bool {
	for i := bytes.IndexByte(s, ':'); i >= 0; {
		if i+1 < len(s) && s[i+1] == ' ' {
			return true
		}
		n := bytes.IndexByte(s[i+1:], ':')
		if n < 0 {
			return false
		}
		i += n + 1
	}
	return false
}

// hasComment reports whether s holds " #".
func hasComment(s []byte) bool {
	for i := bytes.IndexByte(s, '#'); i >= 0; {
		if i > 0 && s[i-1] == ' ' {
			return true
		}
		n := bytes.IndexByte(s[i+1:], '#')
		if n < 0 {
			return false
		}
		i += n + 1
	}
	return false
}

// plainStringKey reports whether a plain key resolves to a string in
// yaml.v3 (a mapping with another key type cannot become JSON).
func plainStringKey(k []byte) bool {
	if len(k) == 0 || k[len(k)-1] == ' ' || !plainOK(k) {
		return false
	}
	switch c := k[0]; {
	case isDigit(c) || c == '+' || c == '-' || c == '.' || c == '~' || c == '<' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F':
		// Maybe not a string: resolve it (rare in keys).
		var buf [32]byte
		j, ok := plainJSON(buf[:0], k)
		return ok && j[0] == '"'
	}
	return true
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// plainSkippable reports whether a plain scalar in a dropped field is one
// yaml.v3 converts to JSON: NaN and infinities fail json.Marshal, so such
// an item must fail as it does through yaml.v3; a timestamp becomes a
// time.Time, which might not marshal either. It neither copies nor
// decodes s (a Secret's data).
func plainSkippable(s []byte) bool {
	switch string(s) {
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<":
		return false
	}
	return !maybeTimestamp(s)
}

// maybeTimestamp reports whether s may be a YAML timestamp, which yaml.v3
// turns into a time.Time when the target is interface{}.
func maybeTimestamp(s []byte) bool {
	return len(s) >= 5 && s[4] == '-' && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// plainJSON appends the JSON of a plain scalar as yaml.v3 resolves it
// into interface{} (null, booleans, integers, floats, strings; see
// resolve in go.yaml.in/yaml/v3) and json.Marshal prints it; ok is false
// for what it does not reproduce exactly (timestamps, binary and octal
// literals, NaN and infinities, merge keys).
func plainJSON(dst, s []byte) ([]byte, bool) {
	switch string(s) {
	case "~", "null", "Null", "NULL":
		return append(dst, "null"...), true
	case "true", "True", "TRUE":
		return append(dst, "true"...), true
	case "false", "False", "FALSE":
		return append(dst, "false"...), true
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<":
		return dst, false
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(string(s), 64); err == nil {
			return appendJSONFloat(dst, f), true
		}
		return appendJSONString(dst, s), true
	case isDigit(c) || c == '+' || c == '-':
	default:
		return appendJSONString(dst, s), true
	}
	// Simple decimal integers, the common case, without strconv.
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) > 0 && len(d) <= 18 && (d[0] != '0' || len(d) == 1) && allDigits(d) {
		if string(s) == "-0" {
			return append(dst, '0'), true
		}
		return append(dst, s...), true
	}
	if maybeTimestamp(s) {
		return dst, false
	}
	plain := strings.ReplaceAll(string(s), "_", "")
	if v, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return strconv.AppendInt(dst, v, 10), true
	}
	if v, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return strconv.AppendUint(dst, v, 10), true
	}
	if yamlStyleFloat.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return appendJSONFloat(dst, f), true
		}
	}
	for _, p := range []string{"0b", "-0b", "0o", "-0o"} {
		if strings.HasPrefix(plain, p) {
			return dst, false
		}
	}
	return appendJSONString(dst, s), true
}

// appendJSONFloat prints a finite float64 as encoding/json does.
func appendJSONFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 is e-9.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s (valid UTF-8) as a JSON string.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
