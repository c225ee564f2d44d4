package why

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
)

const podJSON = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": "2025-03-10T09:00:00Z"},
 "spec": {"containers": [{"name": "app", "image": "nginx"}]}, "status": {"phase": "Pending"}}`

func TestDecodeShapes(t *testing.T) {
	eventV1 := `{"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "shop"},
 "regarding": {"kind": "Pod", "name": "web", "namespace": "shop"}, "reason": "FailedScheduling", "note": "0/1 nodes are available: 1 Insufficient cpu.",
 "type": "Warning", "eventTime": "2025-03-10T09:59:00.000000Z", "reportingController": "default-scheduler", "series": {"count": 4, "lastObservedTime": "2025-03-10T10:00:00.000000Z"}}`
	eventCore := `{"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e2", "namespace": "shop"},
 "involvedObject": {"kind": "Pod", "name": "web", "namespace": "shop", "fieldPath": "spec.containers{app}"}, "reason": "Failed", "message": "x",
 "type": "Warning", "count": 3, "firstTimestamp": "2025-03-10T09:50:00Z", "lastTimestamp": "2025-03-10T09:58:00Z", "source": {"component": "kubelet", "host": "n1"}}`
	secret := `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "shop"}, "data": {"password": "aHVudGVyMg=="}}`
	for _, tc := range []struct {
		name, input string
	}{
		{"list", `{"apiVersion": "v1", "kind": "List", "items": [` + podJSON + `,` + eventV1 + `,` + eventCore + `,` + secret + `]}`},
		{"stream", podJSON + "\n" + eventV1 + "\n" + eventCore + "\n" + secret},
		{"podlist", `{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "web", "namespace": "shop", "creationTimestamp": "2025-03-10T09:00:00Z"}}]}` + "\n" +
			`{"apiVersion": "events.k8s.io/v1", "kind": "EventList", "items": [` + strings.Replace(eventV1, `"apiVersion": "events.k8s.io/v1", "kind": "Event", `, "", 1) + `]}` + "\n" +
			`{"apiVersion": "v1", "kind": "EventList", "items": [` + strings.Replace(eventCore, `"apiVersion": "v1", "kind": "Event", `, "", 1) + `]}` + "\n" + secret},
		{"array", "[" + podJSON + "," + eventV1 + "," + eventCore + "," + secret + "]"},
		{"yaml-list", "apiVersion: v1\nkind: List\nitems:\n- " + podJSON + "\n- " + eventV1 + "\n- " + eventCore + "\n- " + secret + "\n"},
		{"yaml-docs", "\ufeff---\n" + podJSON + "\n---\n" + eventV1 + "\n---\n" + eventCore + "\n---\n" + secret + "\n---\n"},
		{"yaml-crlf", strings.ReplaceAll("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  creationTimestamp: \"2025-03-10T09:00:00Z\"\n---\n"+eventV1+"\n---\n"+eventCore+"\n---\n"+secret, "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, errs := Decode("dump", []byte(tc.input))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(d.Pods) != 1 || d.Pods[0].Name != "web" || len(d.Events) != 2 || d.Skipped["Secret"] != 1 {
				t.Fatalf("pods %d, events %d, skipped %v", len(d.Pods), len(d.Events), d.Skipped)
			}
			var v1, core *Event
			for _, e := range d.Events {
				if e.Reason == "FailedScheduling" {
					v1 = e
				} else {
					core = e
				}
			}
			if v1 == nil || v1.Count != 4 || v1.Message == "" || v1.From != "default-scheduler" || v1.Last.Format("15:04") != "10:00" || v1.First.Format("15:04") != "09:59" || v1.Regarding.Name != "web" {
				t.Errorf("events.k8s.io/v1 event: %+v", v1)
			}
			if core == nil || core.Count != 3 || core.From != "kubelet, n1" || core.Regarding.FieldPath != "spec.containers{app}" || core.Last.Format("15:04") != "09:58" {
				t.Errorf("core/v1 event: %+v", core)
			}
			if !d.Listed[KindPod] || !d.Listed[KindEvent] || d.Listed["Secret"] {
				t.Errorf("listed %v", d.Listed)
			}
			if got := d.Newest().Format("15:04"); got != "10:00" {
				t.Errorf("newest %s", got)
			}
		})
	}
}

// TestDecodeErrors: every bad input is an error with its position; the
// good objects around a bad one are still read.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        []string
		pods        int
	}{
		{"syntax", "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n" + podJSON + ",\n{\"kind\": \"Pod\" \"x\": 1}]}", []string{"dump:4:17: items[1]: Pod: invalid character"}, 1},
		{"type", "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n" + podJSON + ",\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"spec\": {\"containers\": \"nginx\"}}]}",
			[]string{"dump:5:", "items[1]: Pod: spec.containers: cannot read string value as []v1.Container"}, 1},
		{"no-kind", `{"apiVersion": "v1", "kind": "List", "items": [{"metadata": {"name": "x"}}]}`, []string{"dump:1:", "items[0]: object without kind"}, 0},
		{"not-object", `{"apiVersion": "v1", "kind": "List", "items": [3]}`, []string{"dump:1:", "expected an object in items"}, 0},
		{"truncated", `{"apiVersion": "v1", "kind": "List", "items": [` + podJSON, []string{"unexpected end of JSON input"}, 0},
		{"yaml-syntax", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [web\n", []string{"dump:"}, 0},
		{"yaml-type", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n  spec:\n    containers: 7\n",
			[]string{"dump:7: items[1]: Pod: spec.containers"}, 1},
		{"yaml-scalar", "just a string\n", []string{"dump:1: expected a Kubernetes object"}, 0},
		{"empty", "  \n", []string{"empty input"}, 0},
		{"garbage", "\x00\x01", []string{"dump"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, errs := Decode("dump", []byte(tc.input))
			if len(errs) == 0 {
				t.Fatalf("no error")
			}
			msg := errs[0].Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if len(d.Pods) != tc.pods {
				t.Errorf("%d pods read, want %d", len(d.Pods), tc.pods)
			}
		})
	}
}

// FuzzDecode: no input makes the decoder panic or hang.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(podJSON))
	f.Add([]byte(`{"apiVersion": "v1", "kind": "List", "items": [` + podJSON + `]}`))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n"))
	f.Add([]byte("---\nkind: Event\napiVersion: events.k8s.io/v1\n"))
	table, err := NewTable(Rules())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := Decode("fuzz", data)
		if d == nil {
			t.Fatal("nil dump")
		}
		if _, err := Diagnose(d, Options{Now: d.Newest(), Table: table}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEventDecodingMatchesLive: the light decoding of a dump's events
// gives what --live gets from the typed client for the same JSON.
func TestEventDecodingMatchesLive(t *testing.T) {
	core := []string{
		`{"apiVersion":"v1","kind":"Event","metadata":{"name":"a","namespace":"shop","creationTimestamp":"2025-03-10T09:00:00Z","managedFields":[{"manager":"kubelet"}]},
		  "involvedObject":{"apiVersion":"v1","kind":"Pod","name":"web","namespace":"shop","uid":"u1","fieldPath":"spec.containers{app}"},
		  "reason":"Failed","message":"Failed to pull image","type":"Warning","count":7,"firstTimestamp":"2025-03-10T09:00:00Z","lastTimestamp":"2025-03-10T09:58:00Z",
		  "source":{"component":"kubelet","host":"worker-2"},"reportingComponent":"kubelet","reportingInstance":"worker-2","eventTime":null}`,
		`{"apiVersion":"v1","kind":"Event","metadata":{"name":"b","namespace":"shop","creationTimestamp":"2025-03-10T09:00:00Z"},
		  "involvedObject":{"kind":"Pod","name":"web","namespace":"shop"},"reason":"FailedScheduling","message":"0/3 nodes are available","type":"Warning",
		  "eventTime":"2025-03-10T09:00:00.120342Z","series":{"count":9,"lastObservedTime":"2025-03-10T09:59:00.561211Z"},"firstTimestamp":null,"lastTimestamp":null,
		  "reportingComponent":"default-scheduler","reportingInstance":"default-scheduler-cp-1","source":{}}`,
		`{"apiVersion":"v1","kind":"Event","metadata":{"name":"c","namespace":"shop","creationTimestamp":"2025-03-10T09:30:00Z"},
		  "involvedObject":{"kind":"ReplicaSet","name":"web-1","namespace":"shop"},"reason":"FailedCreate","message":"Error creating","type":"Warning"}`,
	}
	for _, src := range core {
		var ev corev1.Event
		if err := json.Unmarshal([]byte(src), &ev); err != nil {
			t.Fatal(err)
		}
		want := EventFromCore(&ev)
		d, errs := Decode("e.json", []byte(src))
		if len(errs) > 0 || len(d.Events) != 1 {
			t.Fatalf("decode: %v", errs)
		}
		if !reflect.DeepEqual(d.Events[0], want) {
			t.Errorf("dump event %+v\nlive event %+v", d.Events[0], want)
		}
	}
	v1 := `{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"d","namespace":"shop","creationTimestamp":"2025-03-10T09:00:00Z"},
	  "regarding":{"kind":"Pod","name":"db-0","namespace":"shop","uid":"u2"},"reason":"FailedScheduling","note":"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
	  "type":"Warning","eventTime":"2025-03-10T09:35:00.000000Z","reportingController":"default-scheduler","reportingInstance":"default-scheduler-cp-1",
	  "series":{"count":6,"lastObservedTime":"2025-03-10T09:58:00.000000Z"},"deprecatedCount":0}`
	var ev eventsv1.Event
	if err := json.Unmarshal([]byte(v1), &ev); err != nil {
		t.Fatal(err)
	}
	d, errs := Decode("e.json", []byte(v1))
	if len(errs) > 0 || len(d.Events) != 1 || !reflect.DeepEqual(d.Events[0], EventFromEventsV1(&ev)) {
		t.Errorf("events.k8s.io/v1: %v %+v", errs, d.Events)
	}
}
