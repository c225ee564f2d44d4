package ynode

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestResolveFollow resolves a field path in a rendered object and
// follows it in a source whose list is in another order: the container
// is found by its name, not its index.
func TestResolveFollow(t *testing.T) {
	var rendered, source yaml.Node
	if err := yaml.Unmarshal([]byte("spec:\n  containers:\n    - name: a\n    - name: web\n      resources: {limits: {memory: 64m}}\n"), &rendered); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte("spec:\n  containers:\n    - name: web\n      resources:\n        limits:\n          memory: 64m\n    - name: a\n"), &source); err != nil {
		t.Fatal(err)
	}
	steps, n, full := Resolve(rendered.Content[0], "spec.containers[1].resources.limits[memory]")
	if !full || Scalar(n) != "64m" || LastKey(steps) != "memory" || ParentKey(steps) != "limits" {
		t.Fatalf("Resolve: %v %v %v", steps, n, full)
	}
	v, key, m := Follow(source.Content[0], steps)
	if m != len(steps) || !SameScalar(v, n) || At(v, key).Line != 6 {
		t.Errorf("Follow: matched %d of %d, at line %d", m, len(steps), At(v, key).Line)
	}
	if _, _, full := Resolve(rendered.Content[0], "spec.containers[7].image"); full {
		t.Error("a missing item resolved")
	}
	if got := fmt.Sprint(Split("metadata.annotations[podlint.io/ignore]")); got != "[{metadata false} {annotations false} {podlint.io/ignore true}]" {
		t.Errorf("Split: %s", got)
	}
}
