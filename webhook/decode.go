package webhook

import (
	"errors"
	"fmt"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
)

// decodeTarget turns an admission object into the target the checks see,
// through the CLI's own decoder: the same scalars as written (Raw), the
// same schema issues, so a manifest gets the same findings from
// `podlint` and from the webhook (the differential test holds them to it).
func decodeTarget(data []byte) (*checks.Target, error) {
	if len(data) == 0 {
		return nil, errors.New("no object in the request")
	}
	objs, errs := manifest.Parse("admission", data)
	if len(errs) > 0 {
		return nil, fmt.Errorf("decoding the object: %s", errs[0].Message)
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("decoding the object: found %d objects, want 1", len(objs))
	}
	if !objs[0].Known || objs[0].Target == nil {
		return nil, fmt.Errorf("decoding the object: kind %q is not one podlint reads", objs[0].Ref.Kind)
	}
	return objs[0].Target, nil
}
