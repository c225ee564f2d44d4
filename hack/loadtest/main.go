// Command loadtest drives podlint-webhook the way a busy cluster does
// (`make loadtest`). It starts the real kube-apiserver and etcd from bin/
// (envtest; built by `make envtest-bins`), loads a cluster of Nodes with
// realistic labels, taints and allocatable plus DaemonSets holding host
// ports, builds and starts podlint-webhook against it, registers the
// shipped ValidatingWebhookConfiguration pointed at it, and sends
// 2-container Deployments (one in four broken) at fixed rates, first
// straight to the webhook over HTTPS (as the API server would, with
// ?timeout=3s) and then through the API server as dry-run creates.
//
// For each phase it prints the achieved rate, client latency percentiles,
// errors, answers after the API server's 3 s timeout, the webhook's
// unchecked admissions by reason (from its /metrics), the API server's
// apiserver_admission_webhook_fail_open_count delta, and the webhook's peak
// RSS and CPU per review (its process, TLS and HTTP included). The webhook
// runs with the memory limit the manifests give it (-memory-limit).
// Everything listens on loopback and everything stops by itself.
// Without bin/kube-apiserver and bin/etcd it says so and exits 0.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/test/scale"
)

// apiTimeout is the shipped timeoutSeconds; direct requests carry it the
// way the API server does.
const apiTimeout = 3 * time.Second

type options struct {
	rates       []int
	duration    time.Duration
	nodes       int
	daemonSets  int
	mode        string
	maxInflight int
	bin         string
	webhookArgs []string
	memoryLimit int64
	// client is direct mode's HTTP client: lean or nethttp.
	client string
	// cpuProfile, when set, is a directory for the webhook's CPU profile
	// of each phase (podlint-webhook --pprof-bind-address).
	cpuProfile string
}

func main() {
	var o options
	rates := flag.String("rates", "1000", "comma-separated request rates per second; each runs for -duration in each mode")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long each rate runs")
	flag.IntVar(&o.nodes, "nodes", 5000, "Nodes to load")
	flag.IntVar(&o.daemonSets, "daemonsets", 1000, "DaemonSets to load (each holds a host port)")
	flag.StringVar(&o.mode, "mode", "both", "direct (HTTPS to the webhook), apiserver (dry-run creates) or both")
	flag.IntVar(&o.maxInflight, "max-inflight", 2000, "requests the load generator keeps open at most; a request due while that many are open is counted as not sent")
	flag.StringVar(&o.bin, "bin", "bin", "directory with kube-apiserver and etcd")
	webhookArgs := flag.String("webhook-args", "", "extra podlint-webhook flags, space-separated")
	clientProfile := flag.String("clientcpuprofile", "", "file to write the load generator's own CPU profile into")
	flag.StringVar(&o.client, "client", "lean", "direct mode's HTTP client: lean (one goroutine per request on keep-alive TLS connections) or nethttp (net/http's client, which costs the shared cores about as much as the webhook)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "directory to write podlint-webhook's CPU profile of each phase and its heap profile after it into (go tool pprof)")
	memLimit := flag.String("memory-limit", "256Mi", "the container memory limit to emulate: podlint-webhook gets it as the manifests give it (PODLINT_MEMORY_LIMIT), 0 for none")
	flag.Parse()
	for _, r := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "loadtest: bad rate %q\n", r)
			os.Exit(2)
		}
		o.rates = append(o.rates, n)
	}
	if o.client != "lean" && o.client != "nethttp" {
		fmt.Fprintf(os.Stderr, "loadtest: -client %q: want lean or nethttp\n", o.client)
		os.Exit(2)
	}
	if o.mode != "direct" && o.mode != "apiserver" && o.mode != "both" {
		fmt.Fprintf(os.Stderr, "loadtest: -mode %q: want direct, apiserver or both\n", o.mode)
		os.Exit(2)
	}
	o.webhookArgs = strings.Fields(*webhookArgs)
	q, err := resource.ParseQuantity(*memLimit)
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: -memory-limit %q: %v\n", *memLimit, err)
		os.Exit(2)
	}
	o.memoryLimit = q.Value()
	// The generator's own collections would add to the latency it
	// measures (it shares the cores with the webhook); its heap is small.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// envtest logs through controller-runtime; its messages are not ours.
	ctrllog.SetLogger(logr.Discard())
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(o.bin, b)); err != nil {
			fmt.Printf("loadtest: skipped: %s not found in %s (make envtest-bins builds it): %v\n", b, o.bin, err)
			return
		}
	}
	// Everything stops by itself: the whole run is bounded.
	budget := 10*time.Minute + time.Duration(len(o.rates)*2)*(o.duration+30*time.Second)
	// Ctrl-C stops the run and still stops the API server, etcd and the
	// webhook.
	sctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, budget)
	defer cancel()
	if *clientProfile != "" {
		f, err := os.Create(*clientProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "podlint-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Printf("loadtest: %d cores, GOMAXPROCS %d; building podlint-webhook and starting kube-apiserver and etcd\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	exe := filepath.Join(tmp, "podlint-webhook")
	build := exec.CommandContext(ctx, "go", "build", "-o", exe, "./cmd/podlint-webhook")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: bin}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting envtest: %w", err)
	}
	defer func() { _ = env.Stop() }()
	cfg.QPS, cfg.Burst = 1e6, 1e6
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}

	begin := time.Now()
	if err := loadCluster(ctx, cs, o.nodes, o.daemonSets); err != nil {
		return err
	}
	fmt.Printf("loadtest: loaded %d Nodes and %d DaemonSets in %s\n", o.nodes, o.daemonSets, time.Since(begin).Round(time.Second))

	if o.cpuProfile != "" {
		if err := os.MkdirAll(o.cpuProfile, 0o755); err != nil {
			return err
		}
	}
	hook, err := startWebhook(ctx, cs, env, cfg, exe, tmp, o.webhookArgs, o.memoryLimit, o.cpuProfile != "")
	if err != nil {
		return err
	}
	defer hook.stop()
	hook.lean = o.client == "lean"
	fmt.Printf("loadtest: podlint-webhook ready after %s, RSS %d MiB with the caches filled\n", time.Since(hook.started).Round(time.Second), hook.rss()>>20)

	var results []phaseResult
	for _, rate := range o.rates {
		if o.mode != "apiserver" {
			r, err := phase(ctx, "direct HTTPS", rate, o, hook, cs, hook.direct)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		if o.mode != "direct" {
			r, err := phase(ctx, "via API server", rate, o, hook, cs, hook.viaAPIServer(cfg))
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	fmt.Println()
	fmt.Printf("%d Nodes, %d DaemonSets; %d cores shared by client, webhook and API server (and anything else running)\n", o.nodes, o.daemonSets, runtime.NumCPU())
	fmt.Println("| path | target | achieved | p50 | p90 | p99 | max | errors | not sent | after 3s | unchecked | fail-open Δ | webhook peak RSS | webhook CPU/review | client CPU/review | webhook ≤5 ms | p99 from send |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Println(r.row())
	}
	return nil
}

// loadCluster creates the Nodes (Ready, without the not-ready taint the
// API server puts on new Nodes, as a kubelet would leave them) and the
// DaemonSets, with a few parallel workers.
func loadCluster(ctx context.Context, cs kubernetes.Interface, nodes, daemonSets int) error {
	const workers = 32
	work := make(chan int)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				var err error
				if i < nodes {
					err = createNode(ctx, cs, scale.Node(i))
				} else {
					d := scale.DaemonSet(i - nodes)
					_, err = cs.AppsV1().DaemonSets(d.Namespace).Create(ctx, d, metav1.CreateOptions{})
				}
				if err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}
		})
	}
	for i := range 50 {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("team-%d", i)}}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	for i := range nodes + daemonSets {
		select {
		case work <- i:
		case err := <-errc:
			close(work)
			wg.Wait()
			return err
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return nil
}

func createNode(ctx context.Context, cs kubernetes.Interface, n *corev1.Node) error {
	status := n.Status
	got, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	if len(got.Spec.Taints) != len(n.Spec.Taints) {
		got.Spec.Taints = n.Spec.Taints
		if got, err = cs.CoreV1().Nodes().Update(ctx, got, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	got.Status = status
	got.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"}}
	_, err = cs.CoreV1().Nodes().UpdateStatus(ctx, got, metav1.UpdateOptions{})
	return err
}

// webhookProc is the podlint-webhook process under test.
type webhookProc struct {
	cmd     *exec.Cmd
	exited  chan error
	addr    string
	metrics string
	started time.Time
	client  *http.Client
	// conns are direct's keep-alive connections (-client lean).
	conns *connPool
	// lean sends direct requests over conns instead of client.
	lean   bool
	bodies [][]byte
	// requests are the bodies as whole HTTP/1.1 requests, for -client lean.
	requests [][]byte
	// pprof is the webhook's net/http/pprof address, or "".
	pprof string
}

// profile fetches a CPU profile of the next d from the webhook into file;
// the returned channel gives its error once written.
func (w *webhookProc) profile(ctx context.Context, d time.Duration, file string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		errc <- w.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(1, int(d.Seconds()))), file)
	}()
	return errc
}

// fetch writes what the webhook's pprof server answers at path into file.
func (w *webhookProc) fetch(ctx context.Context, path, file string) error {
	url := "http://" + w.pprof + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startWebhook registers the shipped webhook configuration (pointed at a
// loopback URL) and starts podlint-webhook with self-managed certificates,
// which injects its CA into that configuration; it returns once the
// webhook is ready and the CA is there.
func startWebhook(ctx context.Context, cs kubernetes.Interface, env *envtest.Environment, cfg *rest.Config, exe, tmp string, extra []string, memoryLimit int64, profile bool) (*webhookProc, error) {
	ports := make([]int, 4)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	w := &webhookProc{addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), metrics: fmt.Sprintf("127.0.0.1:%d", ports[1]), exited: make(chan error, 1)}
	for i := range bodyVariants {
		b, err := reviewBody(i)
		if err != nil {
			return nil, err
		}
		w.bodies = append(w.bodies, b)
		w.requests = append(w.requests, fmt.Appendf(nil, "POST /validate?timeout=%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			apiTimeout, w.addr, len(b), b))
	}
	probe := fmt.Sprintf("127.0.0.1:%d", ports[2])
	if profile {
		w.pprof = fmt.Sprintf("127.0.0.1:%d", ports[3])
		extra = append(slices.Clone(extra), "--pprof-bind-address", w.pprof)
	}

	data, err := os.ReadFile(filepath.Join("manifests", "base", "validatingwebhookconfiguration.yaml"))
	if err != nil {
		return nil, fmt.Errorf("the shipped webhook configuration (run from the repository root): %w", err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(data, &vwc); err != nil {
		return nil, err
	}
	url := "https://" + w.addr + "/validate"
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url}
	}
	if _, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &vwc, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "podlint-system"}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	user, err := env.AddUser(envtest.User{Name: "loadtest-webhook", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		return nil, err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	kubecfg := filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(kubecfg, kc, 0o600); err != nil {
		return nil, err
	}
	args := append([]string{"--kubeconfig", kubecfg, "--namespace", "podlint-system", "--webhook-config-name", vwc.Name,
		"--extra-dns-names", "127.0.0.1", "--webhook-bind-address", w.addr, "--metrics-bind-address", w.metrics,
		"--health-probe-bind-address", probe}, extra...)
	logs := &tailBuffer{max: 64 << 10}
	w.cmd = exec.Command(exe, args...)
	w.cmd.Stderr = logs
	w.cmd.Env = os.Environ()
	if memoryLimit > 0 {
		w.cmd.Env = append(w.cmd.Env, fmt.Sprintf("PODLINT_MEMORY_LIMIT=%d", memoryLimit))
	}
	w.started = time.Now()
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { w.exited <- w.cmd.Wait() }()

	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-w.exited:
			return nil, fmt.Errorf("podlint-webhook exited: %v\n%s", err, logs)
		case <-ctx.Done():
			w.stop()
			return nil, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("podlint-webhook not ready within 3 minutes\n%s", logs)
		}
		resp, err := http.Get("http://" + probe + "/readyz")
		ready := err == nil && resp.StatusCode == http.StatusOK
		if err == nil {
			resp.Body.Close()
		}
		got, gerr := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, vwc.Name, metav1.GetOptions{})
		if ready && gerr == nil && len(got.Webhooks) > 0 && len(got.Webhooks[0].ClientConfig.CABundle) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(got.Webhooks[0].ClientConfig.CABundle) {
				return nil, errors.New("caBundle holds no certificate")
			}
			// Like the API server: connections kept and reused.
			tlsConfig := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
			tr := &http.Transport{TLSClientConfig: tlsConfig,
				MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second}
			w.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
			w.conns = &connPool{addr: w.addr, tls: tlsConfig, idle: make(chan *clientConn, 1024)}
			// The API server needs a moment to see the caBundle.
			time.Sleep(2 * time.Second)
			return w, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (w *webhookProc) stop() {
	if w.cmd == nil || w.cmd.Process == nil {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
	w.cmd = nil
}

// rss is the webhook's peak resident set since the last resetPeak (VmHWM).
func (w *webhookProc) rss() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu is the webhook's user+system CPU time so far.
// selfCPU is the user+system CPU this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (w *webhookProc) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	// USER_HZ is 100 on Linux.
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// resetPeak restarts VmHWM from the current RSS (Linux clear_refs 5).
func (w *webhookProc) resetPeak() {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", w.cmd.Process.Pid), []byte("5"), 0)
}

// unchecked reads podlint_webhook_unchecked_total by reason.
func (w *webhookProc) unchecked() map[string]float64 {
	out := map[string]float64{}
	w.scrape(func(l string) {
		rest, ok := strings.CutPrefix(l, `podlint_webhook_unchecked_total{reason="`)
		if !ok {
			return
		}
		reason, val, _ := strings.Cut(rest, `"} `)
		v, _ := strconv.ParseFloat(val, 64)
		out[reason] = v
	})
	return out
}

// answered counts the requests the webhook answered, all and within 5 ms
// of their arrival by its own clock (its latency histogram, every kind,
// operation and decision).
func (w *webhookProc) answered() (within5ms, all float64) {
	w.scrape(func(l string) {
		if !strings.HasPrefix(l, "podlint_webhook_request_duration_seconds_bucket{") {
			return
		}
		_, val, _ := strings.Cut(l, "} ")
		v, _ := strconv.ParseFloat(val, 64)
		switch {
		case strings.Contains(l, `le="0.005"`):
			within5ms += v
		case strings.Contains(l, `le="+Inf"`):
			all += v
		}
	})
	return within5ms, all
}

// scrape calls fn with each line of the webhook's metrics.
func (w *webhookProc) scrape(fn func(line string)) {
	resp, err := http.Get("http://" + w.metrics + "/metrics")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
}

// bodyVariants is how many distinct AdmissionReviews direct sends in
// turn; marshalling each request anew would spend the client's share of
// the CPU on JSON instead of load.
const bodyVariants = 200

// reviewBody is the AdmissionReview for request i, as the API server
// would send it.
func reviewBody(i int) ([]byte, error) {
	raw, err := json.Marshal(scale.Deployment(i))
	if err != nil {
		return nil, err
	}
	ar := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       types.UID("loadtest-" + strconv.Itoa(i)),
			Kind:      metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			Resource:  metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
			Namespace: fmt.Sprintf("team-%d", i%50), Name: fmt.Sprintf("cart-%d", i), Operation: admissionv1.Create,
		},
	}
	ar.Request.Object.Raw = raw
	return json.Marshal(ar)
}

// direct sends request i straight to the webhook as the API server would.
func (w *webhookProc) direct(ctx context.Context, i int) (outcome, error) {
	body := w.bodies[i%len(w.bodies)]
	if w.lean {
		data, err := w.conns.post(w.requests[i%len(w.requests)])
		if err != nil {
			return 0, err
		}
		return verdictOf(data)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+w.addr+"/validate?timeout="+apiTimeout.String(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return verdictOf(data)
}

// verdictOf reads an AdmissionReview answer.
func verdictOf(data []byte) (outcome, error) {
	var got struct {
		Response *struct {
			Allowed bool `json:"allowed"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &got); err != nil || got.Response == nil {
		return 0, fmt.Errorf("no AdmissionReview answer: %v", err)
	}
	if !got.Response.Allowed {
		return denied, nil
	}
	return allowed, nil
}

// viaAPIServer sends request i as a dry-run create through the API server.
func (w *webhookProc) viaAPIServer(cfg *rest.Config) func(context.Context, int) (outcome, error) {
	c := rest.CopyConfig(cfg)
	c.QPS, c.Burst = 1e6, 1e6
	c.Timeout = 30 * time.Second
	c.WarningHandler = rest.NoWarnings{}
	cs := kubernetes.NewForConfigOrDie(c)
	return func(ctx context.Context, i int) (outcome, error) {
		d := scale.Deployment(i)
		_, err := cs.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return allowed, nil
		}
		if apierrors.IsInvalid(err) && strings.Contains(err.Error(), "podlint") {
			return denied, nil
		}
		return 0, err
	}
}

type outcome int

const (
	allowed outcome = iota + 1
	denied
)

type phaseResult struct {
	path                  string
	target                int
	achieved              float64
	p50, p90, p99, max    time.Duration
	errors, notSent, late int
	errSample             string
	unchecked             map[string]float64
	failOpen              float64
	rss                   int64
	cpuPerReview          time.Duration
	// clientCPUPerReview is the load generator's own CPU (this process:
	// TLS, HTTP, and for the API server path the client side of creates).
	clientCPUPerReview time.Duration
	// hookWithin5ms is the share of the phase's requests the webhook
	// answered within 5 ms of their arrival by its own clock, which tells
	// its latency from the client's (TLS, the network, the generator).
	hookWithin5ms float64
	// p99FromSend is the p99 from when each request was sent, not due.
	p99FromSend              time.Duration
	allowedCount, deniedCnt  int
	sent                     int
	wantDenied, wrongVerdict int
}

func (r phaseResult) row() string {
	var un []string
	total := 0.0
	for _, k := range slices.Sorted(maps.Keys(r.unchecked)) {
		if v := r.unchecked[k]; v != 0 {
			un = append(un, fmt.Sprintf("%s %.0f", k, v))
			total += v
		}
	}
	uns := "0"
	if total > 0 {
		uns = strings.Join(un, ", ")
	}
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms" }
	return fmt.Sprintf("| %s | %d/s | %.0f/s | %s | %s | %s | %s | %d | %d | %d | %s | %.0f | %d MiB | %.2f ms | %.2f ms | %.2f%% | %s |",
		r.path, r.target, r.achieved, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.errors, r.notSent, r.late, uns, r.failOpen, r.rss>>20,
		float64(r.cpuPerReview)/1e6, float64(r.clientCPUPerReview)/1e6, 100*r.hookWithin5ms, ms(r.p99FromSend))
}

// phase sends rate requests a second for o.duration with do, and
// measures. Requests are sent on schedule whatever the answers do (open
// loop), each timed from when it was due, so a slow webhook cannot slow the
// load down and hide its own latency; at most o.maxInflight are open.
func phase(ctx context.Context, path string, rate int, o options, w *webhookProc, cs kubernetes.Interface, do func(context.Context, int) (outcome, error)) (phaseResult, error) {
	fmt.Printf("loadtest: %s at %d/s for %s\n", path, rate, o.duration)
	// A short warm-up opens connections and fills the pools.
	for i := range 20 {
		_, _ = do(ctx, 1_000_000+i)
	}
	time.Sleep(time.Second)
	un0 := w.unchecked()
	fast0, all0 := w.answered()
	fo0, err := apiserverMetric(ctx, cs, "apiserver_admission_webhook_fail_open_count")
	if err != nil {
		return phaseResult{}, err
	}
	w.resetPeak()
	cpu0, self0 := w.cpu(), selfCPU()
	var profiled <-chan error
	if o.cpuProfile != "" && w.pprof != "" {
		name := strings.NewReplacer(" ", "-", "/", "").Replace(fmt.Sprintf("%s-%d.pprof", path, rate))
		profiled = w.profile(ctx, o.duration, filepath.Join(o.cpuProfile, name))
	}

	r := phaseResult{path: path, target: rate}
	interval := time.Second / time.Duration(rate)
	total := int(o.duration / interval)
	lat := make([]time.Duration, total)
	// fromSend is each request's latency from when its goroutine sent it
	// rather than from when it was due: the difference is the generator's
	// own lateness (its scheduling on the shared cores).
	fromSend := make([]time.Duration, total)
	outcomes := make([]outcome, total)
	var inflight atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < total; {
		due := min(total, int(time.Since(start)/interval)+1)
		for ; i < due; i++ {
			if inflight.Load() >= int64(o.maxInflight) {
				r.notSent++
				lat[i] = -1
				continue
			}
			inflight.Add(1)
			n := i
			at := start.Add(time.Duration(n) * interval)
			wg.Go(func() {
				defer inflight.Add(-1)
				sent := time.Now()
				out, err := do(ctx, n)
				lat[n] = time.Since(at)
				fromSend[n] = time.Since(sent)
				outcomes[n] = out
				if err != nil {
					mu.Lock()
					r.errors++
					if r.errSample == "" {
						r.errSample = err.Error()
					}
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Millisecond)
	}
	sendEnd := time.Since(start)
	wg.Wait()
	if profiled != nil {
		if err := <-profiled; err != nil {
			return phaseResult{}, fmt.Errorf("CPU profile: %w", err)
		}
		name := strings.NewReplacer(" ", "-", "/", "").Replace(fmt.Sprintf("%s-%d-heap.pprof", path, rate))
		if err := w.fetch(ctx, "/debug/pprof/heap", filepath.Join(o.cpuProfile, name)); err != nil {
			return phaseResult{}, fmt.Errorf("heap profile: %w", err)
		}
	}
	r.rss = w.rss()
	cpuUsed, selfUsed := w.cpu()-cpu0, selfCPU()-self0
	var done []time.Duration
	for i, l := range lat {
		if l < 0 {
			continue
		}
		done = append(done, l)
		if l > apiTimeout {
			r.late++
		}
		switch outcomes[i] {
		case allowed:
			r.allowedCount++
		case denied:
			r.deniedCnt++
		}
		if i%4 == 3 {
			r.wantDenied++
			if outcomes[i] == allowed {
				r.wrongVerdict++
			}
		}
	}
	r.sent = len(done)
	if r.sent > 0 {
		r.cpuPerReview = cpuUsed / time.Duration(r.sent)
		r.clientCPUPerReview = selfUsed / time.Duration(r.sent)
	}
	r.achieved = float64(len(done)) / sendEnd.Seconds()
	slices.Sort(done)
	pct := func(p float64) time.Duration {
		if len(done) == 0 {
			return 0
		}
		return done[min(len(done)-1, int(p*float64(len(done))))]
	}
	r.p50, r.p90, r.p99 = pct(0.50), pct(0.90), pct(0.99)
	var sentLat []time.Duration
	for i, l := range fromSend {
		if lat[i] >= 0 {
			sentLat = append(sentLat, l)
		}
	}
	slices.Sort(sentLat)
	if len(sentLat) > 0 {
		r.p99FromSend = sentLat[min(len(sentLat)-1, int(0.99*float64(len(sentLat))))]
	}
	if len(done) > 0 {
		r.max = done[len(done)-1]
	}
	time.Sleep(500 * time.Millisecond)
	un1 := w.unchecked()
	r.unchecked = map[string]float64{}
	for k, v := range un1 {
		r.unchecked[k] = v - un0[k]
	}
	if fast1, all1 := w.answered(); all1 > all0 {
		r.hookWithin5ms = (fast1 - fast0) / (all1 - all0)
	}
	fo1, err := apiserverMetric(ctx, cs, "apiserver_admission_webhook_fail_open_count")
	if err != nil {
		return r, err
	}
	r.failOpen = fo1 - fo0
	fmt.Printf("loadtest: %s\n", r.row())
	fmt.Printf("loadtest:   %d answered (%d allowed, %d denied); broken objects allowed: %d of %d", r.sent, r.allowedCount, r.deniedCnt, r.wrongVerdict, r.wantDenied)
	if r.errSample != "" {
		fmt.Printf("; first error: %s", r.errSample)
	}
	fmt.Println()
	return r, nil
}

// apiserverMetric sums the samples of one metric on the API server's
// /metrics (0 before it has any).
func apiserverMetric(ctx context.Context, cs kubernetes.Interface, name string) (float64, error) {
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return 0, fmt.Errorf("API server metrics: %w", err)
	}
	sum := 0.0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, name+"{") && !strings.HasPrefix(l, name+" ") {
			continue
		}
		f := strings.Fields(l)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum, nil
}

// tailBuffer keeps the last max bytes written (the webhook's log, shown
// when it fails).
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// connPool is a minimal HTTP/1.1 client for the direct phase: each request
// is written whole to an idle keep-alive TLS connection (or a new one) and
// its answer read on the same goroutine. net/http's client hands every
// request between three goroutines and cost the generator almost as much
// CPU per review as the webhook; on two shared cores that cost is
// latency the webhook would be blamed for.
type connPool struct {
	addr string
	tls  *tls.Config
	idle chan *clientConn
}

type clientConn struct {
	c  *tls.Conn
	br *bufio.Reader
}

// post sends one request and returns the answer's body.
func (p *connPool) post(req []byte) ([]byte, error) {
	var cc *clientConn
	select {
	case cc = <-p.idle:
	default:
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", p.addr, p.tls)
		if err != nil {
			return nil, err
		}
		cc = &clientConn{c: c, br: bufio.NewReaderSize(c, 16<<10)}
	}
	_ = cc.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := cc.c.Write(req); err != nil {
		cc.c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(cc.br, nil)
	if err != nil {
		cc.c.Close()
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		cc.c.Close()
	} else {
		select {
		case p.idle <- cc:
		default:
			cc.c.Close()
		}
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return data, nil
}
