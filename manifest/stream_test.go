package manifest

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// splitStream cuts data with a Splitter reading it a few bytes at a time,
// so that lines and the byte-order mark straddle reads.
func splitStream(t *testing.T, data []byte, step int) ([]chunk, []Error) {
	t.Helper()
	var r io.Reader = bytes.NewReader(data)
	if step > 0 {
		r = &stepReader{data: data, step: step}
	}
	s := NewSplitter(r)
	var out []chunk
	for {
		d, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, chunk{text: d.Text, start: d.Start, source: d.Source})
	}
	return out, s.Commas("f.yaml")
}

type stepReader struct {
	data []byte
	step int
}

func (r *stepReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// wholeStream is what Parse does to a whole stream before cutting it.
func wholeStream(name string, data []byte) ([]chunk, []Error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	var errs []Error
	if looksLikeJSON(data) {
		data = bytes.ReplaceAll(data, []byte("\t"), []byte(" "))
		errs = trailingCommas(name, data)
	}
	return splitDocuments(data), errs
}

func sameSplit(t *testing.T, data []byte) {
	t.Helper()
	want, wantErrs := wholeStream("f.yaml", data)
	for _, step := range []int{0, 1, 2, 7} {
		got, gotErrs := splitStream(t, data, step)
		if len(got) != len(want) {
			t.Fatalf("step %d: %d documents, Parse cuts %d\ngot  %+v\nwant %+v", step, len(got), len(want), got, want)
		}
		for i := range want {
			if !bytes.Equal(got[i].text, want[i].text) || got[i].start != want[i].start || got[i].source != want[i].source {
				t.Fatalf("step %d: document %d = {%q %d %q}, Parse cuts {%q %d %q}", step, i,
					got[i].text, got[i].start, got[i].source, want[i].text, want[i].start, want[i].source)
			}
		}
		if !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Fatalf("step %d: comma errors %v, Parse reports %v", step, gotErrs, wantErrs)
		}
	}
}

var splitCases = []string{
	"",
	"\n\n",
	deployment,
	"a: 1\n---\nb: 2\n",
	"a: 1\r\n---\r\nb: 2\r\n",
	"a: 1\r\r\n---\r\r\nb: 2\r",
	"# only a comment\n---\n# Source: c/t.yaml\napiVersion: v1\nkind: Secret\n---\n...\n",
	"# c\n...\n# Source: x\n---\na: 1\n...\nb: 2\n...\n",
	"%YAML 1.2\n---\n!!binary x\n",
	" %x\na: 1",
	"---\t\na: |\n  x\n---\nb: 1",
	"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\n",
	"\xef\xbb",
	"\xef\xbb\xbf",
	"\t\n{\"a\":\t1,\n}\n",
	`{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",}, "spec": {"containers": [{"name": "c"},]}}`,
	"{'apiVersion': 'v1', 'kind': 'ConfigMap', 'data': {'a': ',}'}}",
	"{\"a\": \"x\\\n,]\", \"b\": [1,\n\n ]}\n---\n{\"c\": [2,]}\n",
	"[1,\r\n]",
	"\r{\"a\": [1,]}",
}

func TestSplitterMatchesParse(t *testing.T) {
	for _, c := range splitCases {
		sameSplit(t, []byte(c))
	}
}

func FuzzSplitterMatchesParse(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameSplit(t, data) })
}

// A read error ends the stream at the line it happened on; the documents
// before it are returned.
func TestSplitterReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader([]byte("a: 1\n---\nb: 2\nc: ")), iotest.ErrReader(boom))
	s := NewSplitter(r)
	d, err := s.Next()
	if err != nil || string(d.Text) != "a: 1\n" {
		t.Fatalf("first document %q, %v", d.Text, err)
	}
	if _, err := s.Next(); !errors.Is(err, boom) {
		t.Fatalf("second Next: %v, want the read error", err)
	}
	if s.Line() != 4 {
		t.Errorf("error at line %d, want 4", s.Line())
	}
}
