package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

// TestSARIFSchema validates sarif output against the official OASIS SARIF
// 2.1.0 schema (testdata/sarif-schema-2.1.0.json, see its NOTICE), because
// GitHub code scanning rejects uploads that do not conform.
func TestSARIFSchema(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}

	// The validator must be able to fail: a level SARIF does not define.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`)))
	if err := schema.Validate(bad); err == nil {
		t.Fatal("schema accepted a result with level \"fatal\"; the schema file is not doing its job")
	}

	tests := []struct {
		name      string
		report    *lint.Report
		catalogue []*checks.Check
	}{
		{"sample report, sample catalogue", sampleReport(), sampleCatalogue()},
		{"sample report, real catalogue", sampleReport(), checks.Catalogue()},
		{"empty report, real catalogue", emptyReport(), checks.Catalogue()},
		{"empty report, no catalogue", emptyReport(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.report.Checks = tt.catalogue
			if err := (&SARIF{Version: "(devel)"}).Write(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("sarif output does not match the SARIF 2.1.0 schema: %v\n%s", err, buf.Bytes())
			}
		})
	}
}

// The schema alone would accept a log that code scanning cannot use, so
// the fields code scanning needs are asserted too.
func TestSARIFContent(t *testing.T) {
	var buf bytes.Buffer
	if err := (&SARIF{}).Write(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID                   string
						DefaultConfiguration struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex *int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine, StartColumn int }
					}
				}
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct{ Level string }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(sampleCatalogue()) {
		t.Fatalf("got %d rules, want one per check (%d)", len(run.Tool.Driver.Rules), len(sampleCatalogue()))
	}
	for _, res := range run.Results {
		if res.RuleIndex == nil || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex does not point at its rule", res.RuleID)
		}
	}
	r0 := run.Results[1]
	if r0.Level != "error" || r0.Locations[0].PhysicalLocation.ArtifactLocation.URI != "deploy/cart.yaml" ||
		r0.Locations[0].PhysicalLocation.Region == nil || r0.Locations[0].PhysicalLocation.Region.StartLine != 21 ||
		r0.Locations[0].PhysicalLocation.Region.StartColumn != 21 {
		t.Errorf("first result = %+v, want error at deploy/cart.yaml:21:21", r0)
	}
	if run.Results[2].Level != "note" {
		t.Errorf("info finding has level %q, want note", run.Results[2].Level)
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 {
		t.Errorf("invocation = %+v, want unsuccessful with 2 notifications for the input errors", inv)
	}
}
