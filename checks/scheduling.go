package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	resourcehelper "k8s.io/component-helpers/resource"
	schedcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// The four scheduling checks share one evaluation per node, in the order a
// node is ruled out: the selector and required affinity first, then taints,
// then allocatable resources, then the pod slots already taken. Each check
// reports only when its stage is the furthest any node got, so one stuck
// pod yields one finding, from the check that names the real obstacle.
type schedStage int

const (
	stageSelector schedStage = iota
	stageTaints
	stageResources
	stageCapacity
	stageFits
)

// defaultMaxPods is the kubelet's --max-pods default, used when a node does
// not publish allocatable pods.
const defaultMaxPods = 110

// detailGroupLimit caps how many "(they have …)" variants one reason lists
// before they are merged; a selector on kubernetes.io/hostname would
// otherwise print one group per node.
const detailGroupLimit = 3

type affinityReq struct {
	req  corev1.NodeSelectorRequirement
	sel  *nodeaffinity.NodeSelector
	path *field.Path
	// field is true for matchFields (metadata.name), which has no label to
	// quote.
	field bool
	base  string
}

// scheduling holds what is computed once per target.
type scheduling struct {
	t        *Target
	inv      Inventory
	pod      *corev1.Pod
	affinity nodeaffinity.RequiredNodeAffinity
	selKeys  []string
	// selBase and selPath are per nodeSelector key, built once: the
	// failure path explains every node and must not format per node.
	selBase map[string]string
	selPath map[string]*field.Path
	// singleTerm explains a failing required affinity requirement by
	// requirement; with several terms the scheduler's generic wording is
	// used because any term may match.
	singleTerm []affinityReq
	affPath    *field.Path
	// genericPath is blamed when the selector keys all match and the
	// affinity cannot be explained requirement by requirement.
	genericPath *field.Path
	requests    corev1.ResourceList
	reqNames    []corev1.ResourceName
	podsKnown   bool
	// namesNode is true when the selector or affinity names a node, so
	// node groups cannot stand for their members.
	namesNode bool
}

type reasonKey struct{ base, detail string }

type schedOutcome struct {
	total int
	// best is the furthest stage any evaluated node reached.
	best    schedStage
	byStage [stageFits + 1]int
	reasons map[schedStage]map[reasonKey]int
	// blame counts, for nodes ruled out by the selector, the field that
	// ruled them out.
	blame    map[*field.Path]int
	insuff   map[corev1.ResourceName]int
	maxAlloc map[corev1.ResourceName]resource.Quantity
}

func newOutcome() *schedOutcome {
	return &schedOutcome{
		reasons:  map[schedStage]map[reasonKey]int{},
		blame:    map[*field.Path]int{},
		insuff:   map[corev1.ResourceName]int{},
		maxAlloc: map[corev1.ResourceName]resource.Quantity{},
	}
}

func (o *schedOutcome) add(st schedStage, base, detail string, n int) {
	m := o.reasons[st]
	if m == nil {
		m = map[reasonKey]int{}
		o.reasons[st] = m
	}
	m[reasonKey{base, detail}] += n
}

// count records that n nodes ended at stage st.
func (o *schedOutcome) count(st schedStage, n int) {
	if n <= 0 {
		return
	}
	o.byStage[st] += n
	if st > o.best {
		o.best = st
	}
}

// evaluateScheduling returns nil when the checks must stay silent: no pod
// spec, nodes unknown, or a pod the scheduler does not place (nodeName set,
// scheduling gates).
func evaluateScheduling(p *Pass) (*scheduling, *schedOutcome) {
	r := p.Shared(schedulingKey{}, func() any {
		s, o := computeScheduling(p)
		return schedResult{s, o}
	}).(schedResult)
	return r.s, r.o
}

// schedulingKey names the shared evaluation in Pass.Shared.
type schedulingKey struct{}

type schedResult struct {
	s *scheduling
	o *schedOutcome
}

func computeScheduling(p *Pass) (*scheduling, *schedOutcome) {
	t := p.Target
	if t.Spec == nil || p.Inv.Nodes == nil || t.Spec.NodeName != "" || len(t.Spec.SchedulingGates) > 0 {
		return nil, nil
	}
	total, known := p.Inv.Nodes.NodeCount()
	// Zero known nodes is a cluster still coming up, a virtual control
	// plane or a snapshot taken without nodes: saying "0/0 nodes are
	// available" on every pod would be noise, and in the webhook it would
	// deny every workload.
	if !known || total == 0 {
		return nil, nil
	}
	s := newScheduling(t, p.Inv)
	ds := t.IsDaemonSet()
	if !s.namesNode {
		// One evaluation per node group: the outcome is the same as
		// node by node, weighted by the group sizes, and complete
		// unless a node fits (all a non-DaemonSet needs to know).
		groups, _ := p.Inv.Nodes.NodeGroups()
		o := s.runGroups(groups, !ds)
		o.total = total
		return s, o
	}

	cands, indexed := s.candidates()
	o := s.run(cands, !ds)
	o.total = total
	if !ds && o.best == stageFits {
		return s, o
	}
	if ds && o.best >= stageResources {
		// Nodes outside the index set fail the selector; the
		// DaemonSet just does not run there.
		o.byStage[stageSelector] += total - len(cands)
		return s, o
	}
	if indexed {
		// The failure message counts every node, like the
		// scheduler's; only this path pays O(nodes).
		all, _ := p.Inv.Nodes.Nodes()
		o = s.run(all, false)
		o.total = total
	}
	return s, o
}

func newScheduling(t *Target, inv Inventory) *scheduling {
	pod := clusterPodView(t)
	s := &scheduling{
		t:         t,
		inv:       inv,
		pod:       pod,
		affinity:  nodeaffinity.GetRequiredNodeAffinity(pod),
		requests:  resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{}),
		namesNode: namesNode(pod),
	}
	for k := range pod.Spec.NodeSelector {
		s.selKeys = append(s.selKeys, k)
	}
	slices.Sort(s.selKeys)
	s.selBase = make(map[string]string, len(s.selKeys))
	s.selPath = make(map[string]*field.Path, len(s.selKeys))
	for _, k := range s.selKeys {
		s.selBase[k] = "node(s) didn't match nodeSelector " + k + "=" + pod.Spec.NodeSelector[k]
		s.selPath[k] = t.SpecPath.Child("nodeSelector").Key(k)
	}
	s.genericPath = s.affPath
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		s.affPath = t.SpecPath.Child("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
		terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		if len(terms) == 1 {
			tp := s.affPath.Child("nodeSelectorTerms").Index(0)
			add := func(r corev1.NodeSelectorRequirement, path *field.Path, isField bool) {
				term := corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{r}}
				if isField {
					term = corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{r}}
				}
				sel, err := nodeaffinity.NewNodeSelector(&corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{term}})
				if err == nil {
					base := fmt.Sprintf("node(s) didn't match node affinity %s %s", r.Key, r.Operator)
					if len(r.Values) > 0 {
						base += " [" + strings.Join(r.Values, ", ") + "]"
					}
					s.singleTerm = append(s.singleTerm, affinityReq{r, sel, path, isField, base})
				}
			}
			for i, r := range terms[0].MatchExpressions {
				add(r, tp.Child("matchExpressions").Index(i), false)
			}
			for i, r := range terms[0].MatchFields {
				add(r, tp.Child("matchFields").Index(i), true)
			}
		}
	}
	if s.affPath != nil {
		s.genericPath = s.affPath
	} else {
		s.genericPath = t.SpecPath.Child("nodeSelector")
	}
	for name, q := range s.requests {
		if !q.IsZero() {
			s.reqNames = append(s.reqNames, name)
		}
	}
	slices.Sort(s.reqNames)
	if inv.Pods != nil {
		_, s.podsKnown = inv.Pods.PodsOnNode("")
	}
	return s
}

// candidates returns the nodes worth evaluating: with a nodeSelector, the
// nodes carrying its most selective label (an index lookup), else all.
func (s *scheduling) candidates() ([]*corev1.Node, bool) {
	if len(s.selKeys) == 0 {
		all, _ := s.inv.Nodes.Nodes()
		return all, false
	}
	bestKey, bestN := "", -1
	for _, k := range s.selKeys {
		n := s.inv.Nodes.NodeCountWithLabel(k, s.pod.Spec.NodeSelector[k])
		if bestN < 0 || n < bestN {
			bestKey, bestN = k, n
		}
	}
	if bestN == 0 {
		return nil, true
	}
	return s.inv.Nodes.NodesWithLabel(bestKey, s.pod.Spec.NodeSelector[bestKey]), true
}

func (s *scheduling) run(nodes []*corev1.Node, stopAtFit bool) *schedOutcome {
	o := newOutcome()
	for _, n := range nodes {
		st := s.node(n, o, 1)
		if st == stageFits && s.podsKnown {
			running, _ := s.inv.Pods.PodsOnNode(n.Name)
			if int64(running) >= NodePodLimit(n) {
				o.add(stageCapacity, "Too many pods", "", 1)
				st = stageCapacity
			}
		}
		o.count(st, 1)
		if st == stageFits && stopAtFit {
			break
		}
	}
	return o
}

// runGroups is run over node groups: each group is evaluated once through
// its representative and counts for all its members; the group's full
// members end at the pod-capacity stage.
func (s *scheduling) runGroups(groups []NodeGroup, stopAtFit bool) *schedOutcome {
	o := newOutcome()
	for _, g := range groups {
		st := s.node(g.Node, o, g.Count)
		if st != stageFits {
			o.count(st, g.Count)
			continue
		}
		fits := g.Count
		if s.podsKnown && g.Full > 0 {
			o.add(stageCapacity, "Too many pods", "", g.Full)
			o.count(stageCapacity, g.Full)
			fits -= g.Full
		}
		o.count(stageFits, fits)
		if fits > 0 && stopAtFit {
			break
		}
	}
	return o
}

// placeable tells whether the pod's selector, required affinity and
// tolerations let it onto the node, ignoring resources.
func (s *scheduling) placeable(n *corev1.Node) bool {
	if ok, err := s.affinity.Match(n); err == nil && !ok {
		return false
	}
	_, bad := schedcorev1.FindMatchingUntoleratedTaint(logr.Discard(), nodeTaints(n), s.pod.Spec.Tolerations, blockingTaint, true)
	return !bad
}

func blockingTaint(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

// nodeTaints adds the unschedulable taint of a cordoned node when a
// snapshot predates the node lifecycle controller adding it.
func nodeTaints(n *corev1.Node) []corev1.Taint {
	taints := n.Spec.Taints
	if n.Spec.Unschedulable && !slices.ContainsFunc(taints, func(t corev1.Taint) bool { return t.Key == corev1.TaintNodeUnschedulable }) {
		taints = append(slices.Clip(taints), corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	}
	return taints
}

// node evaluates one node, standing for w nodes, up to its resources and
// records why it was ruled out; the caller decides the pod-capacity stage.
func (s *scheduling) node(n *corev1.Node, o *schedOutcome, w int) schedStage {
	if ok, err := s.affinity.Match(n); err == nil && !ok {
		base, detail, path := s.explainSelector(n)
		o.add(stageSelector, base, detail, w)
		o.blame[path] += w
		return stageSelector
	}
	if taint, bad := schedcorev1.FindMatchingUntoleratedTaint(logr.Discard(), nodeTaints(n), s.pod.Spec.Tolerations, blockingTaint, true); bad {
		o.add(stageTaints, "node(s) had untolerated taint "+taint.ToString(), "", w)
		return stageTaints
	}
	alloc := n.Status.Allocatable
	if len(alloc) > 0 {
		short := false
		for _, name := range s.reqNames {
			have, ok := alloc[name]
			if !ok {
				switch name {
				case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
					// Not published is not zero: stay silent.
					continue
				}
			}
			if m, seen := o.maxAlloc[name]; !seen || have.Cmp(m) > 0 {
				o.maxAlloc[name] = have
			}
			req := s.requests[name]
			if req.Cmp(have) > 0 {
				o.add(stageResources, "Insufficient "+string(name), "", w)
				o.insuff[name] += w
				short = true
			}
		}
		if q, ok := alloc[corev1.ResourcePods]; ok && q.Value() < 1 {
			o.add(stageResources, "Too many pods", "", w)
			o.insuff[corev1.ResourcePods] += w
			short = true
		}
		if short {
			return stageResources
		}
	}
	return stageFits
}

func (s *scheduling) explainSelector(n *corev1.Node) (base, detail string, path *field.Path) {
	for _, k := range s.selKeys {
		if have, ok := n.Labels[k]; ok && have == s.pod.Spec.NodeSelector[k] {
			continue
		}
		return s.selBase[k], labelDetail(n, k), s.selPath[k]
	}
	for _, r := range s.singleTerm {
		if r.sel.Match(n) {
			continue
		}
		if r.field {
			return r.base, "", r.path
		}
		return r.base, labelDetail(n, r.req.Key), r.path
	}
	return "node(s) didn't match Pod's node affinity/selector", "", s.genericPath
}

func labelDetail(n *corev1.Node, key string) string {
	if v, ok := n.Labels[key]; ok {
		return "they have " + key + "=" + v
	}
	return "they have no " + key + " label"
}

// summary renders the reasons of the given stages like the scheduler's
// FitError: "N reason" items, sorted.
func (o *schedOutcome) summary(stages ...schedStage) string {
	// Items sort by reason, then detail, so that the variants of one
	// reason stay together whatever their counts.
	type item struct{ base, detail, text string }
	var items []item
	for _, st := range stages {
		byBase := map[string][]reasonKey{}
		for k := range o.reasons[st] {
			byBase[k.base] = append(byBase[k.base], k)
		}
		for base, keys := range byBase {
			if len(keys) > detailGroupLimit {
				n := 0
				for _, k := range keys {
					n += o.reasons[st][k]
				}
				items = append(items, item{base, "", fmt.Sprintf("%d %s (%d different values)", n, base, len(keys))})
				continue
			}
			for _, k := range keys {
				text := fmt.Sprintf("%d %s", o.reasons[st][k], base)
				if k.detail != "" {
					text += " (" + k.detail + ")"
				}
				items = append(items, item{base, k.detail, text})
			}
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := strings.Compare(a.base, b.base); c != 0 {
			return c
		}
		return strings.Compare(a.detail, b.detail)
	})
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.text
	}
	return strings.Join(texts, ", ")
}

func (o *schedOutcome) available() string {
	return fmt.Sprintf("0/%d nodes are available: %s", o.total, o.summary(stageSelector, stageTaints, stageResources, stageCapacity))
}

func nodeSelectorUnsatisfiable() *Check {
	return &Check{
		ID:       "node-selector-unsatisfiable",
		Title:    "No node matches the nodeSelector and required node affinity",
		Severity: Error,
		Symptom:  Pending,
		Description: "The scheduler only places a pod on a node whose labels satisfy every nodeSelector entry and " +
			"one of the required node affinity terms (matchExpressions on labels, matchFields on the node name). " +
			"When no known node does, the pod stays Pending with FailedScheduling \"didn't match Pod's node " +
			"affinity/selector\"; a DaemonSet creates no pod at all.",
		Uses:        nodesUses("The cluster's Nodes (their labels and names),"),
		Remediation: "Fix the label key or value to one the nodes carry (kubectl get nodes --show-labels), or label the nodes that should run the pod.",
		Bad: `spec:
  nodeSelector:
    disktype: ssd   # every node has disktype=hdd
`,
		Good: `spec:
  nodeSelector:
    disktype: hdd
`,
		Cluster: true,
		Run: func(p *Pass) {
			s, o := evaluateScheduling(p)
			if o == nil || o.best != stageSelector {
				return
			}
			path := mostBlamed(o)
			if path == nil {
				path = s.t.SpecPath.Child("nodeSelector")
			}
			p.Report(path, "", "%s%s", o.available(), stuckTail(s.t))
		},
	}
}

func mostBlamed(o *schedOutcome) *field.Path {
	var best *field.Path
	bestKey, n := "", 0
	for p, c := range o.blame {
		if k := p.String(); c > n || (c == n && k < bestKey) {
			best, bestKey, n = p, k, c
		}
	}
	return best
}

func stuckTail(t *Target) string {
	if t.IsDaemonSet() {
		return "; the DaemonSet runs no pods"
	}
	return "; its pods stay Pending"
}

func taintNotTolerated() *Check {
	return &Check{
		ID:       "taint-not-tolerated",
		Title:    "Every matching node has a taint the pod does not tolerate",
		Severity: Error,
		Symptom:  Pending,
		Description: "Nodes with a NoSchedule or NoExecute taint only take pods that tolerate it. When every node " +
			"that satisfies the pod's selector and affinity carries such a taint (control-plane nodes, dedicated " +
			"GPU pools), the pod stays Pending with \"had untolerated taint\". DaemonSet pods are checked with the " +
			"tolerations the DaemonSet controller adds (not-ready, unreachable, pressure, unschedulable).",
		Uses:        nodesUses("The cluster's Nodes (their labels and taints),"),
		Remediation: "Add a toleration for the taint (key, value and effect as shown), or target nodes without it.",
		Bad: `spec:
  nodeSelector:
    node-role.kubernetes.io/control-plane: ""
`,
		Good: `spec:
  nodeSelector:
    node-role.kubernetes.io/control-plane: ""
  tolerations:
  - key: node-role.kubernetes.io/control-plane
    operator: Exists
    effect: NoSchedule
`,
		Cluster: true,
		Run: func(p *Pass) {
			s, o := evaluateScheduling(p)
			if o == nil || o.best != stageTaints {
				return
			}
			p.Report(s.t.SpecPath.Child("tolerations"), "", "%s%s", o.available(), stuckTail(s.t))
		},
	}
}

func insufficientNodeResources() *Check {
	return &Check{
		ID:       "insufficient-node-resources",
		Title:    "The pod requests more than any eligible node can allocate",
		Severity: Error,
		Symptom:  Pending,
		Description: "The scheduler adds up the pod's effective requests (the larger of the app containers plus " +
			"sidecars and the largest init container, pod-level resources and overhead when set; a limit without " +
			"a request counts as the request) and compares them with each node's allocatable cpu, memory, " +
			"ephemeral-storage, pods and extended resources such as nvidia.com/gpu. When no node that passes the " +
			"selector and taints could hold the pod even empty, it stays Pending with \"Insufficient cpu\". For a " +
			"DaemonSet, the pods on each eligible node too small for it stay Pending.",
		Uses:        nodesUses("The cluster's Nodes (their allocatable resources),"),
		Remediation: "Lower the request to what the nodes allocate, or add nodes with enough capacity (or the extended resource) and target them.",
		Bad: `resources:
  requests:
    cpu: "64"   # nodes allocate 3920m
`,
		Good: `resources:
  requests:
    cpu: "2"
`,
		Cluster: true,
		Run: func(p *Pass) {
			s, o := evaluateScheduling(p)
			if o == nil {
				return
			}
			ds := s.t.IsDaemonSet()
			if (!ds && o.best != stageResources) || (ds && o.byStage[stageResources] == 0) {
				return
			}
			name := mostShort(o)
			path, container := resourcePath(s.t, name)
			detail := s.resourceDetail(o)
			if ds {
				p.Report(path, container, "%d of %d eligible node(s) cannot hold the DaemonSet's pod: %s%s; the pods for those nodes stay Pending",
					o.byStage[stageResources], o.byStage[stageResources]+o.byStage[stageCapacity]+o.byStage[stageFits],
					o.summary(stageResources), detail)
				return
			}
			p.Report(path, container, "%s%s%s", o.available(), detail, stuckTail(s.t))
		},
	}
}

func mostShort(o *schedOutcome) corev1.ResourceName {
	var best corev1.ResourceName
	n := 0
	for k, c := range o.insuff {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// resourceDetail says, per short resource, what the pod asks and the most
// any examined node allocates.
func (s *scheduling) resourceDetail(o *schedOutcome) string {
	var parts []string
	for _, name := range s.reqNames {
		if o.insuff[name] == 0 {
			continue
		}
		req := s.requests[name]
		m, ok := o.maxAlloc[name]
		if !ok || m.IsZero() {
			parts = append(parts, fmt.Sprintf("the pod requests %s %s and no eligible node allocates any", name, req.String()))
			continue
		}
		parts = append(parts, fmt.Sprintf("the pod requests %s %s, the largest eligible node allocates %s", name, req.String(), m.String()))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// resourcePath finds where a request comes from: pod-level resources when
// they set it, else the container asking the most (its request, or its limit
// when the request is defaulted from it).
func resourcePath(t *Target, name corev1.ResourceName) (*field.Path, string) {
	spec := t.Spec
	if r := spec.Resources; r != nil && resourcehelper.IsSupportedPodLevelResource(name) {
		if _, ok := r.Requests[name]; ok {
			return t.SpecPath.Child("resources", "requests").Key(string(name)), ""
		}
		if _, ok := r.Limits[name]; ok {
			return t.SpecPath.Child("resources", "limits").Key(string(name)), ""
		}
	}
	var (
		best     resource.Quantity
		bestPath *field.Path
		bestName string
	)
	for _, c := range t.Containers() {
		if c.Kind == EphemeralContainer {
			continue
		}
		res := c.Container.Resources
		q, ok := res.Requests[name]
		path := c.Path.Child("resources", "requests").Key(string(name))
		if !ok {
			q, ok = res.Limits[name]
			path = c.Path.Child("resources", "limits").Key(string(name))
		}
		if ok && (bestPath == nil || q.Cmp(best) > 0) {
			best, bestPath, bestName = q, path, c.Container.Name
		}
	}
	if bestPath == nil {
		return t.SpecPath, ""
	}
	return bestPath, bestName
}

func nodePodCapacity() *Check {
	return &Check{
		ID:       "node-pod-capacity",
		Title:    "Every eligible node already runs as many pods as it may",
		Severity: Warning,
		Symptom:  Pending,
		Description: "A node takes at most its allocatable pods (the kubelet's --max-pods, 110 by default). When " +
			"every node that passes the selector, taints and resources already runs that many pods, a new pod " +
			"stays Pending with \"Too many pods\" until one leaves. This is a snapshot of a moving cluster, hence " +
			"a warning; it is only evaluated when the cluster's pods are known.",
		Uses:        "The cluster's Nodes and its bound, unfinished Pods, from " + fromCluster + ". Silent unless both are known.",
		Remediation: "Add nodes or raise the kubelet's maxPods on the target pool, or widen the selector to nodes with free slots.",
		Bad: `# all 3 nodes with pool=batch run 110 of 110 pods
spec:
  nodeSelector:
    pool: batch
`,
		Good: `spec:
  nodeSelector:
    pool: general
`,
		Cluster: true,
		Run: func(p *Pass) {
			s, o := evaluateScheduling(p)
			if o == nil || !s.podsKnown {
				return
			}
			if s.t.IsDaemonSet() {
				if n := o.byStage[stageCapacity]; n > 0 {
					p.Report(s.t.SpecPath, "", "%d of %d eligible node(s) already run as many pods as they may: %s; the pods for those nodes stay Pending",
						n, n+o.byStage[stageFits]+o.byStage[stageResources], o.summary(stageCapacity))
				}
				return
			}
			if o.best != stageCapacity {
				return
			}
			p.Report(s.t.SpecPath, "", "%s%s", o.available(), stuckTail(s.t))
		},
	}
}
