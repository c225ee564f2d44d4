package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Path is where the webhook serves admission reviews.
const Path = "/validate"

// NewHTTPHandler wraps h for the webhook server: it caps the request body
// and answers an oversize request with "allowed" (when its uid can be
// read) instead of the error controller-runtime would return, since an
// error from a policy webhook must never be what blocks a deploy.
func NewHTTPHandler(h admission.Handler, maxBytes int64) http.Handler {
	recoverPanic := false // Handler recovers its own panics and allows.
	wh := &admission.Webhook{Handler: h, RecoverPanic: &recoverPanic}
	return &limitedHandler{next: wh, max: maxBytes}
}

type limitedHandler struct {
	next http.Handler
	max  int64
}

func (l *limitedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil {
		l.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, l.max+1))
	_ = r.Body.Close()
	if err != nil {
		http.Error(w, "reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if int64(len(body)) <= l.max {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		l.next.ServeHTTP(w, r)
		return
	}
	uid, ok := requestUID(body)
	if !ok {
		// Without a uid no answer is valid; the API server treats the
		// error as a webhook failure, which failurePolicy Ignore admits.
		http.Error(w, fmt.Sprintf("admission review larger than %d bytes", l.max), http.StatusRequestEntityTooLarge)
		return
	}
	resp := admissionv1.AdmissionReview{
		Response: &admissionv1.AdmissionResponse{
			UID:      uid,
			Allowed:  true,
			Warnings: []string{fmt.Sprintf("podlint: object larger than %d bytes; it was not checked", l.max)},
		},
	}
	resp.APIVersion, resp.Kind = "admission.k8s.io/v1", "AdmissionReview"
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// requestUID reads request.uid from the start of a (possibly cut off)
// AdmissionReview. The API server writes uid first, so the prefix holds it.
func requestUID(body []byte) (types.UID, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	inRequest := false
	for {
		t, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, ok := t.(string)
		if !ok {
			return "", false
		}
		switch {
		case !inRequest && key == "request":
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return "", false
			}
			inRequest = true
		case inRequest && key == "uid":
			var uid string
			if err := dec.Decode(&uid); err != nil || uid == "" {
				return "", false
			}
			return types.UID(uid), true
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", false
			}
		}
	}
}
