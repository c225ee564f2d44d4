package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

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
		hasRequest       bool
	)
	once := func(seen *[]string, key []byte) error {
		if !plainKey(key) {
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
			err = s.Object(func(key []byte) error {
				if err := once(&inRequest, key); err != nil {
					return err
				}
				return requestField(s, string(key), &req.AdmissionRequest)
			})
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
	return req, gv.WithKind(kind), true
}

// requestField decodes one field of an AdmissionRequest as
// encoding/json (which controller-runtime's decoder is, case-sensitive)
// would: null leaves a field as it is, unknown fields are skipped, a
// struct met twice keeps what the first set. A value of another type
// declines the review.
func requestField(s *jsonscan.Scanner, key string, r *admissionv1.AdmissionRequest) error {
	if s.Null() {
		return nil
	}
	switch key {
	case "object", "oldObject", "options":
		span, err := s.Span()
		if err != nil {
			return err
		}
		switch key {
		case "object":
			r.Object.Raw = span
		case "oldObject":
			r.OldObject.Raw = span
		default:
			r.Options.Raw = span
		}
		return nil
	case "uid":
		return stringInto(s, &r.UID)
	case "kind":
		return gvkInto(s, &r.Kind)
	case "resource":
		return gvrInto(s, &r.Resource)
	case "subResource":
		return stringInto(s, &r.SubResource)
	case "requestKind":
		if r.RequestKind == nil {
			r.RequestKind = &metav1.GroupVersionKind{}
		}
		return gvkInto(s, r.RequestKind)
	case "requestResource":
		if r.RequestResource == nil {
			r.RequestResource = &metav1.GroupVersionResource{}
		}
		return gvrInto(s, r.RequestResource)
	case "requestSubResource":
		return stringInto(s, &r.RequestSubResource)
	case "name":
		return stringInto(s, &r.Name)
	case "namespace":
		return stringInto(s, &r.Namespace)
	case "operation":
		return stringInto(s, &r.Operation)
	case "userInfo":
		return userInfoInto(s, &r.UserInfo)
	case "dryRun":
		span, err := s.Span()
		if err != nil {
			return err
		}
		var b bool
		switch string(span) {
		case "true":
			b = true
		case "false":
		default:
			return errDecline
		}
		r.DryRun = &b
		return nil
	}
	return skip(s)
}

func gvkInto(s *jsonscan.Scanner, g *metav1.GroupVersionKind) error {
	return fields(s, [3]string{"group", "version", "kind"}, [3]*string{&g.Group, &g.Version, &g.Kind})
}

func gvrInto(s *jsonscan.Scanner, g *metav1.GroupVersionResource) error {
	return fields(s, [3]string{"group", "version", "resource"}, [3]*string{&g.Group, &g.Version, &g.Resource})
}

func userInfoInto(s *jsonscan.Scanner, u *authenticationv1.UserInfo) error {
	return object(s, func(key string) error {
		switch key {
		case "username":
			return stringInto(s, &u.Username)
		case "uid":
			return stringInto(s, &u.UID)
		case "groups":
			return stringsInto(s, &u.Groups)
		case "extra":
			if s.Null() {
				u.Extra = nil
				return nil
			}
			if u.Extra == nil {
				u.Extra = map[string]authenticationv1.ExtraValue{}
			}
			return object(s, func(key string) error {
				if s.Null() {
					u.Extra[key] = nil
					return nil
				}
				v := u.Extra[key]
				if err := stringsInto(s, (*[]string)(&v)); err != nil {
					return err
				}
				u.Extra[key] = v
				return nil
			})
		}
		return skip(s)
	})
}

// fields reads an object of string fields into the targets of their names.
func fields(s *jsonscan.Scanner, names [3]string, into [3]*string) error {
	return object(s, func(key string) error {
		for i, n := range names {
			if n == key {
				return stringInto(s, into[i])
			}
		}
		return skip(s)
	})
}

// object walks an object with its keys decoded; null is nothing.
func object(s *jsonscan.Scanner, fn func(key string) error) error {
	if s.Null() {
		return nil
	}
	if s.Peek() != '{' {
		return errDecline
	}
	return s.Object(func(raw []byte) error {
		if !plainKey(raw) {
			return errDecline
		}
		return fn(string(raw))
	})
}

// plainKey tells a key that reads the same raw and decoded, and is valid
// JSON: no escapes, no control characters, valid UTF-8. Others decline.
func plainKey(raw []byte) bool {
	for _, c := range raw {
		if c < 0x20 || c == '\\' {
			return false
		}
	}
	return utf8.Valid(raw)
}

// skip passes over a value no field takes. The scanner checks only that
// brackets balance and strings close; controller-runtime's decoder
// refuses a review with malformed JSON anywhere outside the objects, so
// the skipped value must be valid JSON too (unknown fields are rare).
func skip(s *jsonscan.Scanner) error {
	span, err := s.Span()
	if err != nil {
		return err
	}
	if !json.Valid(span) {
		return errDecline
	}
	return nil
}

// stringsInto reads an array of strings, replacing what *out held.
func stringsInto(s *jsonscan.Scanner, out *[]string) error {
	if s.Null() {
		*out = nil
		return nil
	}
	if s.Peek() != '[' {
		return errDecline
	}
	list := make([]string, 0, 4)
	err := s.Array(func() error {
		var v string
		if s.Null() {
			list = append(list, "")
			return nil
		}
		if err := stringInto(s, &v); err != nil {
			return err
		}
		list = append(list, v)
		return nil
	})
	*out = list
	return err
}

// stringInto reads a JSON string into a string-typed field; null leaves it.
func stringInto[T ~string](s *jsonscan.Scanner, out *T) error {
	if s.Null() {
		return nil
	}
	v, err := stringValue(s)
	if err != nil {
		return err
	}
	*out = T(v)
	return nil
}

// stringValue reads a JSON string, declining anything else. Strings
// without escapes (nearly all) are their raw bytes; a control character
// is malformed JSON.
func stringValue(s *jsonscan.Scanner) (string, error) {
	if s.Peek() != '"' {
		return "", errDecline
	}
	span, err := s.Span()
	if err != nil {
		return "", err
	}
	raw := span[1 : len(span)-1]
	if plainKey(raw) {
		return string(raw), nil
	}
	var v string
	if err := json.Unmarshal(span, &v); err != nil {
		return "", errDecline
	}
	return v, nil
}

// writeReview writes the answer as controller-runtime's admission.Webhook
// does, in the AdmissionReview version of the request.
func writeReview(w io.Writer, resp admission.Response, gvk schema.GroupVersionKind) error {
	ar := admissionv1.AdmissionReview{Response: &resp.AdmissionResponse}
	ar.SetGroupVersionKind(gvk)
	return json.NewEncoder(w).Encode(ar)
}
