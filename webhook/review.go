package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	sigsjson "sigs.k8s.io/json"

	"github.com/podlint/podlint/manifest/jsonscan"
)

// errDecline stops decodeReview's walk at anything it does not vouch for.
var errDecline = errors.New("not for the fast path")

// decodeReview reads an AdmissionReview the way controller-runtime's
// admission.Webhook does (v1 or v1beta1, field names case-sensitive, the
// objects as raw JSON) without decoding the objects it carries: they are
// skipped by a byte scanner and handed on as slices of body, which the
// handler decodes once, strictly, into the typed object it checks. The
// review's generic decoding went over every object twice (once to read
// the review's own apiVersion and kind) and was an eighth of the
// webhook's CPU at 1,000 reviews/s.
//
// ok is false for anything it does not vouch for: another content type,
// a key with an escape, a duplicate or unknown top-level key, a response,
// another apiVersion or kind, malformed JSON outside the objects, text
// after the review. The caller then serves the request through
// controller-runtime, so such bodies get exactly the answers they got
// before. Only malformed JSON inside an object differs: controller-runtime
// refuses the whole review (400), this passes the bytes on and the strict
// decode of the object fails, which is answered "allowed, not checked"
// (both fail open). FuzzDecodeReview holds the two to that.
func decodeReview(body []byte, contentType string) (admission.Request, schema.GroupVersionKind, bool) {
	var req admission.Request
	if contentType != "application/json" {
		return req, schema.GroupVersionKind{}, false
	}
	var (
		apiVersion, kind string
		top, inRequest   []string // keys seen, for duplicates
		rest             = make([]byte, 0, 1024)
		hasRequest       bool
	)
	once := func(seen *[]string, key []byte) error {
		if bytes.IndexByte(key, '\\') >= 0 {
			return errDecline
		}
		for _, k := range *seen {
			if k == string(key) {
				return errDecline
			}
		}
		*seen = append(*seen, string(key))
		return nil
	}
	s := jsonscan.New(body)
	err := s.Object(func(key []byte) error {
		if err := once(&top, key); err != nil {
			return err
		}
		var err error
		switch string(key) {
		case "apiVersion":
			apiVersion, err = stringValue(s)
		case "kind":
			kind, err = stringValue(s)
		case "request":
			if s.Peek() != '{' {
				return errDecline
			}
			hasRequest = true
			rest = append(rest, '{')
			err = s.Object(func(key []byte) error {
				if err := once(&inRequest, key); err != nil {
					return err
				}
				span, err := s.Span()
				if err != nil {
					return err
				}
				switch string(key) {
				case "object":
					req.Object.Raw = rawValue(span)
				case "oldObject":
					req.OldObject.Raw = rawValue(span)
				case "options":
					req.Options.Raw = rawValue(span)
				default:
					if len(rest) > 1 {
						rest = append(rest, ',')
					}
					rest = append(rest, '"')
					rest = append(rest, key...)
					rest = append(rest, '"', ':')
					rest = append(rest, span...)
				}
				return nil
			})
			rest = append(rest, '}')
		default:
			return errDecline
		}
		return err
	})
	s.Peek() // past trailing white space
	if err != nil || s.Offset() != len(body) || !hasRequest || kind != "AdmissionReview" {
		return req, schema.GroupVersionKind{}, false
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Group != admissionv1.GroupName || (gv.Version != "v1" && gv.Version != "v1beta1") {
		return req, schema.GroupVersionKind{}, false
	}
	// The small rest goes through the decoder controller-runtime's codec
	// uses, so that its fields read exactly as they did.
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(rest, &req.AdmissionRequest); err != nil {
		return req, schema.GroupVersionKind{}, false
	}
	return req, gv.WithKind(kind), true
}

// stringValue reads a JSON string, declining anything else.
func stringValue(s *jsonscan.Scanner) (string, error) {
	if s.Peek() != '"' {
		return "", errDecline
	}
	return s.String()
}

// rawValue is what runtime.RawExtension keeps of a value: nothing for null.
func rawValue(span []byte) []byte {
	if string(span) == "null" {
		return nil
	}
	return span
}

// writeReview writes the answer as controller-runtime's admission.Webhook
// does, in the AdmissionReview version of the request.
func writeReview(w io.Writer, resp admission.Response, gvk schema.GroupVersionKind) error {
	ar := admissionv1.AdmissionReview{Response: &resp.AdmissionResponse}
	ar.SetGroupVersionKind(gvk)
	return json.NewEncoder(w).Encode(ar)
}
