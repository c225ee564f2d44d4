package cli

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlint/podlint/lint"
)

// byteSize is a flag holding a size in bytes, written as a Kubernetes
// quantity (268435456, 256Mi, 1G); 0 stands for lint.DefaultMaxInputBytes.
type byteSize struct{ n *int64 }

func (b *byteSize) String() string {
	if b.n == nil || *b.n == 0 {
		return lint.FormatBytes(lint.DefaultMaxInputBytes)
	}
	return lint.FormatBytes(*b.n)
}

func (b *byteSize) Set(s string) error {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return fmt.Errorf("want a size such as 512Mi or 2Gi: %w", err)
	}
	v, ok := q.AsInt64()
	if !ok || v < 1 {
		return fmt.Errorf("want a whole number of bytes of at least 1, such as 512Mi or 2Gi")
	}
	*b.n = v
	return nil
}

func (b *byteSize) Type() string { return "size" }
