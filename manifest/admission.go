package manifest

import (
	"errors"
	"fmt"

	"github.com/podlint/podlint/checks"
)

// ParseAdmission turns the object of an admission request (the JSON the
// API server sends in AdmissionRequest.Object or OldObject) into the target
// the checks see, with the same scalars as written (Raw) and the same
// schema issues as the CLI, so a manifest gets the same findings from
// `podlint` and from the webhook. A clean JSON object is decoded directly
// (parseAdmissionJSON, admission_json.go); anything with a schema issue,
// or that the fast path cannot vouch for, goes through Parse like a file.
//
// Which kinds to judge is the caller's decision, taken once from the
// request's kind (checks.WorkloadKinds); an error here means the object
// itself could not be decoded.
func ParseAdmission(data []byte) (*checks.Target, error) {
	if len(data) == 0 {
		return nil, errors.New("no object in the request")
	}
	if t, ok := parseAdmissionJSON(data); ok {
		return t, nil
	}
	return parseAdmissionYAML(data)
}

// parseAdmissionYAML decodes the object the way the CLI decodes a file.
func parseAdmissionYAML(data []byte) (*checks.Target, error) {
	if len(data) == 0 {
		return nil, errors.New("no object in the request")
	}
	objs, errs := Parse("admission", data)
	if len(errs) > 0 {
		return nil, fmt.Errorf("decoding the object: %s", errs[0].Message)
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("decoding the object: found %d objects, want 1", len(objs))
	}
	if !objs[0].Known {
		return nil, fmt.Errorf("decoding the object: kind %q is not one podlint reads", objs[0].Ref.Kind)
	}
	return objs[0].Target, nil
}
