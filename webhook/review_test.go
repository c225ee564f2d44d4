package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// echoHandler answers with everything it was given, so that two paths
// that decode a review differently give different answers.
var echoHandler = admission.HandlerFunc(func(_ context.Context, req admission.Request) admission.Response {
	r := req.AdmissionRequest
	raw := [][]byte{r.Object.Raw, r.OldObject.Raw, r.Options.Raw}
	r.Object.Raw, r.OldObject.Raw, r.Options.Raw = nil, nil, nil
	b, err := json.Marshal(struct {
		R   admissionv1.AdmissionRequest
		Raw [][]byte
	}{r, raw})
	if err != nil {
		return admission.Allowed("").WithWarnings("marshal: " + err.Error())
	}
	return admission.Allowed("").WithWarnings(string(b))
})

// serveBoth sends body through podlint's HTTP handler (decodeReview, and
// controller-runtime for what it declines) and through controller-runtime's
// admission.Webhook alone, and returns both answers.
func serveBoth(t *testing.T, body []byte, contentType string) (fast, cr []byte) {
	t.Helper()
	recoverPanic := false
	serve := func(h http.Handler) []byte {
		r := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	return serve(NewHTTPHandler(echoHandler, 1<<20)), serve(&admission.Webhook{Handler: echoHandler, RecoverPanic: &recoverPanic})
}

const apiServerReview = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/%s","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",` +
	`"kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},` +
	`"requestKind":{"group":"apps","version":"v1","kind":"Deployment"},"requestResource":{"group":"apps","version":"v1","resource":"deployments"},` +
	`"name":"cart","namespace":"shop","operation":"%s","userInfo":{"username":"admin","uid":"014fbff9a07c","groups":["system:authenticated","my-admin-group"],"extra":{"some-key":["some-value1","some-value2"]}},` +
	`"object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"cart","namespace":"shop","uid":"u1","generation":1,"creationTimestamp":"2026-12-01T05:00:00Z",` +
	`"managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1","time":"2026-12-01T05:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},` +
	`"spec":{"replicas":3,"selector":{"matchLabels":{"app":"cart"}},"template":{"metadata":{"labels":{"app":"cart"}},"spec":{"containers":[{"name":"cart","image":"registry.example.com/shop/cart:1.4.2","resources":{"limits":{"memory":"1024m"}}}]}}},"status":{}},` +
	`"oldObject":%s,"dryRun":%s,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply","fieldValidation":"Strict"}}}`

func TestDecodeReview(t *testing.T) {
	old := `{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"cart"},"spec":{"replicas":1}}`
	for _, tc := range []struct {
		name, body, contentType string
		fast                    bool
	}{
		{name: "v1 create", body: sprintf(apiServerReview, "v1", "CREATE", "null", "false"), fast: true},
		{name: "v1beta1 update", body: sprintf(apiServerReview, "v1beta1", "UPDATE", old, "true"), fast: true},
		{name: "white space", body: " \n" + sprintf(apiServerReview, "v1", "CREATE", "null", "false") + "\n\t ", fast: true},
		{name: "no object", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}}`, fast: true},
		{name: "empty request", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}`, fast: true},
		{name: "kind last", body: `{"request":{"uid":"u","object":{}},"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, fast: true},
		{name: "nulls and repeats", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":null,"kind":{"kind":"Pod","kind":"Job","x":1},` +
			`"requestKind":null,"dryRun":null,"userInfo":{"groups":["a",null],"extra":{"k":null,"j":["x"],"j":[]},"username":null},"options":null}}`, fast: true},
		{name: "dryRun not a bool", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"dryRun":"yes"}}`},
		{name: "unknown request field", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","future":{"x":[1]}}}`, fast: true},
		{name: "other content type", contentType: "application/yaml", body: sprintf(apiServerReview, "v1", "CREATE", "null", "false")},
		{name: "yaml body", body: "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: u\n"},
		{name: "escaped key", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","obj\u0065ct":{"a":1}}}`},
		{name: "duplicate object", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"a":1},"object":{"b":2}}}`},
		{name: "duplicate request", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"},"request":{"uid":"v"}}`},
		{name: "response", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"},"response":{"uid":"u"}}`},
		{name: "other version", body: `{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{"uid":"u"}}`},
		{name: "other kind", body: `{"apiVersion":"admission.k8s.io/v1","kind":"Review","request":{"uid":"u"}}`},
		{name: "no apiVersion", body: `{"kind":"AdmissionReview","request":{"uid":"u"}}`},
		{name: "request null", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}`},
		{name: "uid not a string", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}}`},
		{name: "trailing text", body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}} x`},
		{name: "truncated", body: sprintf(apiServerReview, "v1", "CREATE", "null", "false")[:300]},
		{name: "empty", body: ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req, gvk, ok := decodeReview([]byte(tc.body), ct)
			if ok != tc.fast {
				t.Fatalf("decodeReview ok = %v, want %v", ok, tc.fast)
			}
			fast, cr := serveBoth(t, []byte(tc.body), ct)
			if !bytes.Equal(fast, cr) {
				t.Errorf("answers differ\npodlint:            %s\ncontroller-runtime: %s", fast, cr)
			}
			if ok {
				// The fast path alone, without the HTTP handler's fallback.
				if direct := answer(t, req, gvk); !bytes.Equal(direct, cr) {
					t.Errorf("decodeReview's answer differs\npodlint:            %s\ncontroller-runtime: %s", direct, cr)
				}
			}
		})
	}
}

// FuzzDecodeReview holds podlint's review decoding to controller-runtime's:
// the same answer for every body, except that malformed JSON inside an
// object, which controller-runtime refuses with the whole review, reaches
// the handler (whose strict decode then fails open).
func FuzzDecodeReview(f *testing.F) {
	old := `{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"cart"}}`
	for _, s := range []string{
		sprintf(apiServerReview, "v1", "CREATE", "null", "false"),
		sprintf(apiServerReview, "v1beta1", "UPDATE", old, "true"),
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"a":[1,{"b":null}]},"oldObject":null}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\u00e9","name":"a\"b","userInfo":{"extra":{}}}}`,
		`{"request":{"uid":"u"},"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"a":1,}}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"UID":"u","Object":{}}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":null,"kind":{"kind":"Pod","kind":"Job","x":1},"requestKind":null,"dryRun":null,` +
			`"userInfo":{"groups":["a",null],"extra":{"k":null,"j":["x"],"j":[]},"username":null},"options":null}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"userInfo":{"extra":null,"groups":null}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, gvk, ok := decodeReview(body, "application/json")
		fast, cr := serveBoth(t, body, "application/json")
		if bytes.Equal(fast, cr) && (!ok || bytes.Equal(answer(t, req, gvk), cr)) {
			return
		}
		if !ok {
			t.Fatalf("declined, yet the answers differ\npodlint:            %s\ncontroller-runtime: %s", fast, cr)
		}
		for _, raw := range [][]byte{req.Object.Raw, req.OldObject.Raw, req.Options.Raw} {
			if raw != nil && !json.Valid(raw) {
				return // controller-runtime refused the review for it
			}
		}
		t.Fatalf("answers differ\npodlint:            %s\ncontroller-runtime: %s", fast, cr)
	})
}

// answer is what podlint writes for a review decodeReview read.
func answer(t *testing.T, req admission.Request, gvk schema.GroupVersionKind) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeReview(&buf, (&admission.Webhook{Handler: echoHandler}).Handle(t.Context(), req), gvk); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
