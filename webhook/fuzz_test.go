package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// FuzzHandler feeds arbitrary bytes as AdmissionReviews to the full HTTP
// handler with the real catalogue. Nothing may panic, and every answer
// that carries a uid must be an allow or a denial with a status.
func FuzzHandler(f *testing.F) {
	seeds := []string{
		`{}`, `{"request":null}`, `[`, ``,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"d","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"docker02:35000/x","resources":{"limits":{"memory":"1024m"}},"ports":[{"hostPort":9100,"containerPort":9100}]}]}}}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"apps","version":"v1","kind":"Deployment"},"operation":"UPDATE","object":{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"UPPER"}]}}}},"oldObject":{"apiVersion":"apps/v1","kind":"Deployment","spec":7}}}`,
		`{"request":{"uid":"u","kind":{"group":"batch","version":"v1","kind":"CronJob"},"operation":"CREATE","object":{"apiVersion":"batch/v1","kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"$IMAGE","livenessProbe":{"httpGet":{"port":"http"}}}]}}}}}}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	store := cluster.New()
	for _, k := range []cluster.Kind{cluster.Nodes, cluster.Namespaces, cluster.Secrets, cluster.ConfigMaps, cluster.ServiceAccounts} {
		store.MarkKnown(k, cluster.AllNamespaces)
	}
	store.Add(cluster.Nodes, &corev1.Node{})
	h := NewHandler(HandlerOptions{Inventory: store.Inventory, Engine: func() *checks.Engine { return checks.NewEngine(nil) }, Timeout: 5 * time.Second})
	hh := NewHTTPHandler(h, 1<<20)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		hh.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("HTTP %d", w.Code)
		}
	})
}
