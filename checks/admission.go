package checks

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	resourcehelper "k8s.io/component-helpers/resource"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
)

// The admission checks predict refusals that happen when a controller
// creates pods, not when the workload is applied: LimitRanger,
// ResourceQuota and PodSecurity only look at pods, so a Deployment is
// accepted and then shows FailedCreate events and zero pods.

func refusedTail(t *Target) string {
	if t.Ref.Kind == "Pod" {
		return "; the pod is refused"
	}
	return "; every pod the controller creates is refused (FailedCreate)"
}

// limitRangeItemDefaults restates the API defaulting of a Container
// LimitRangeItem (SetDefaults_LimitRangeItem): a snapshot from the API
// server already has it, a hand-written one may not.
func limitRangeItemDefaults(it corev1.LimitRangeItem) (def, defReq corev1.ResourceList) {
	def, defReq = corev1.ResourceList{}, corev1.ResourceList{}
	for k, v := range it.Default {
		def[k] = v
	}
	for k, v := range it.DefaultRequest {
		defReq[k] = v
	}
	for k, v := range it.Max {
		if _, ok := def[k]; !ok {
			def[k] = v
		}
	}
	for k, v := range def {
		if _, ok := defReq[k]; !ok {
			defReq[k] = v
		}
	}
	for k, v := range it.Min {
		if _, ok := defReq[k]; !ok {
			defReq[k] = v
		}
	}
	return def, defReq
}

// defaulted remembers which container values came from a LimitRange, so a
// finding can say the user never wrote them.
type defaulted map[string]string // "<container path>/<requests|limits>/<name>" -> LimitRange name

func (d defaulted) key(path *field.Path, kind string, name corev1.ResourceName) string {
	return path.String() + "/" + kind + "/" + string(name)
}

// applyLimitRanges sets the LimitRanges' default requests and limits on
// containers missing them, like the LimitRanger admission plugin does
// before any validation or quota.
func applyLimitRanges(pod *corev1.Pod, t *Target, lrs []*corev1.LimitRange) defaulted {
	d := defaulted{}
	for _, lr := range lrs {
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypeContainer {
				continue
			}
			def, defReq := limitRangeItemDefaults(it)
			apply := func(c *corev1.Container, path *field.Path) {
				for k, v := range def {
					if _, ok := c.Resources.Limits[k]; !ok {
						if c.Resources.Limits == nil {
							c.Resources.Limits = corev1.ResourceList{}
						}
						c.Resources.Limits[k] = v.DeepCopy()
						d[d.key(path, "limits", k)] = lr.Name
					}
				}
				for k, v := range defReq {
					if _, ok := c.Resources.Requests[k]; !ok {
						if c.Resources.Requests == nil {
							c.Resources.Requests = corev1.ResourceList{}
						}
						c.Resources.Requests[k] = v.DeepCopy()
						d[d.key(path, "requests", k)] = lr.Name
					}
				}
			}
			for i := range pod.Spec.InitContainers {
				apply(&pod.Spec.InitContainers[i], t.SpecPath.Child("initContainers").Index(i))
			}
			for i := range pod.Spec.Containers {
				apply(&pod.Spec.Containers[i], t.SpecPath.Child("containers").Index(i))
			}
		}
	}
	return d
}

// podContainers pairs the (defaulted) pod's containers with their paths.
func podContainers(pod *corev1.Pod, t *Target) []ContainerRef {
	var out []ContainerRef
	for i := range pod.Spec.InitContainers {
		out = append(out, ContainerRef{&pod.Spec.InitContainers[i], t.SpecPath.Child("initContainers").Index(i), InitContainer})
	}
	for i := range pod.Spec.Containers {
		out = append(out, ContainerRef{&pod.Spec.Containers[i], t.SpecPath.Child("containers").Index(i), RegularContainer})
	}
	return out
}

type lrViolation struct {
	path      *field.Path
	container string
	msg       string
	// bound and resource name the rule broken (max, memory), so that
	// the message names the line it is written on: in a kustomize
	// overlay that may be a patch, not the base.
	bound    string
	resource corev1.ResourceName
}

// checkLimitItem applies one LimitRangeItem's min, max and
// maxLimitRequestRatio to requests and limits, in the LimitRanger's words.
func checkLimitItem(it corev1.LimitRangeItem, req, lim corev1.ResourceList, path *field.Path, container string, d defaulted) []lrViolation {
	var out []lrViolation
	kind := string(it.Type)
	at := func(which string, name corev1.ResourceName) *field.Path {
		if path == nil {
			return nil
		}
		return path.Child("resources", which).Key(string(name))
	}
	note := func(which string, name corev1.ResourceName) string {
		if path == nil {
			return ""
		}
		if lr, ok := d[d.key(path, which, name)]; ok {
			return fmt.Sprintf(" (the %s was set by LimitRange %q's default)", strings.TrimSuffix(which, "s"), lr)
		}
		return ""
	}
	type rule struct {
		bound string
		name  corev1.ResourceName
	}
	add := func(r rule, p *field.Path, format string, args ...any) {
		if p == nil && path != nil {
			p = path.Child("resources")
		}
		out = append(out, lrViolation{path: p, container: container, msg: fmt.Sprintf(format, args...), bound: r.bound, resource: r.name})
	}
	bound := func(which string, name corev1.ResourceName) rule { return rule{which, name} }
	for _, name := range sortedNames(it.Min) {
		lo := it.Min[name]
		r, hasR := req[name]
		l, hasL := lim[name]
		switch {
		case !hasR:
			add(bound("min", name), nil, "minimum %s usage per %s is %s.  No request is specified", name, kind, lo.String())
		case r.Cmp(lo) < 0:
			add(bound("min", name), at("requests", name), "minimum %s usage per %s is %s, but request is %s%s", name, kind, lo.String(), r.String(), note("requests", name))
		case hasL && l.Cmp(lo) < 0:
			add(bound("min", name), at("limits", name), "minimum %s usage per %s is %s, but limit is %s%s", name, kind, lo.String(), l.String(), note("limits", name))
		}
	}
	for _, name := range sortedNames(it.Max) {
		hi := it.Max[name]
		r, hasR := req[name]
		l, hasL := lim[name]
		switch {
		case !hasL:
			add(bound("max", name), nil, "maximum %s usage per %s is %s.  No limit is specified", name, kind, hi.String())
		case l.Cmp(hi) > 0:
			add(bound("max", name), at("limits", name), "maximum %s usage per %s is %s, but limit is %s%s", name, kind, hi.String(), l.String(), note("limits", name))
		case hasR && r.Cmp(hi) > 0:
			add(bound("max", name), at("requests", name), "maximum %s usage per %s is %s, but request is %s%s", name, kind, hi.String(), r.String(), note("requests", name))
		}
	}
	for _, name := range sortedNames(it.MaxLimitRequestRatio) {
		ratio := it.MaxLimitRequestRatio[name]
		r, hasR := req[name]
		l, hasL := lim[name]
		switch {
		case !hasR || r.IsZero():
			add(bound("maxLimitRequestRatio", name), nil, "%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, kind, ratio.String())
		case !hasL:
			add(bound("maxLimitRequestRatio", name), nil, "%s max limit to request ratio per %s is %s, but no limit is specified", name, kind, ratio.String())
		default:
			actual := l.AsApproximateFloat64() / r.AsApproximateFloat64()
			if actual > ratio.AsApproximateFloat64() {
				add(bound("maxLimitRequestRatio", name), at("limits", name), "%s max limit to request ratio per %s is %s, but provided ratio is %f%s", name, kind, ratio.String(), actual, note("limits", name))
			}
		}
	}
	return out
}

func sortedNames(l corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func limitRangeViolation() *Check {
	return &Check{
		ID:       "limit-range-violation",
		Title:    "The namespace's LimitRange refuses the pods",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "The LimitRanger admission plugin first gives containers without requests or limits the " +
			"LimitRange's defaultRequest and default, then refuses any pod whose container (type Container) or " +
			"pod total (type Pod) falls below min, exceeds max, or exceeds maxLimitRequestRatio. It only looks " +
			"at pods: a Deployment or Job is accepted, and its controller then fails every pod creation with " +
			"FailedCreate \"maximum memory usage per Container is 1Gi, but limit is 2Gi\".",
		Uses:        policyUses("LimitRanges"),
		Remediation: "Bring the requests and limits within the LimitRange's min and max (set them explicitly instead of relying on its defaults), or ask for a LimitRange that fits the workload.",
		Bad: `# LimitRange: type Container, max memory 1Gi
resources:
  limits:
    memory: 2Gi
`,
		Good: `resources:
  limits:
    memory: 1Gi
`,
		Cluster: true,
		Run: func(p *Pass) {
			if p.Inv.LimitRanges == nil {
				return
			}
			t := p.Target
			lrs, pr := p.Inv.LimitRanges.LimitRanges(t.Namespace())
			if pr != Present || len(lrs) == 0 {
				return
			}
			pod := clusterPod(t)
			d := applyLimitRanges(pod, t, lrs)
			for _, lr := range lrs {
				for i, it := range lr.Spec.Limits {
					var vs []lrViolation
					switch it.Type {
					case corev1.LimitTypeContainer:
						for _, c := range podContainers(pod, t) {
							vs = append(vs, checkLimitItem(it, c.Container.Resources.Requests, c.Container.Resources.Limits, c.Path, c.Container.Name, d)...)
						}
					case corev1.LimitTypePod:
						req := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
						lim := resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{})
						for _, v := range checkLimitItem(it, req, lim, nil, "", d) {
							v.path = t.SpecPath
							vs = append(vs, v)
						}
					}
					for _, v := range vs {
						p.Report(v.path, v.container, "%s (LimitRange %q%s)%s", v.msg, lr.Name,
							p.origin(lr, field.NewPath("spec", "limits").Index(i).Child(v.bound).Key(string(v.resource))), refusedTail(t))
					}
				}
			}
		},
	}
}

// quotaValidationSet is the ResourceQuota pod evaluator's list of resources
// that each container must set once a quota tracks them (a documented
// upstream design mistake kept for compatibility).
func quotaValidationSet() []corev1.ResourceName {
	return []corev1.ResourceName{
		corev1.ResourceCPU, corev1.ResourceMemory,
		corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory,
		corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory,
	}
}

// containerQuotaNames is podComputeUsageHelper's view of which quota
// resources a container sets.
func containerQuotaNames(c *corev1.Container) map[corev1.ResourceName]bool {
	out := map[corev1.ResourceName]bool{}
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; ok {
		out[corev1.ResourceCPU], out[corev1.ResourceRequestsCPU] = true, true
	}
	if _, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
		out[corev1.ResourceLimitsCPU] = true
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; ok {
		out[corev1.ResourceMemory], out[corev1.ResourceRequestsMemory] = true, true
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		out[corev1.ResourceLimitsMemory] = true
	}
	return out
}

// podQuotaUsage is what one pod adds to a quota: its count and its
// effective requests and limits under every name a quota may use.
func podQuotaUsage(pod *corev1.Pod) corev1.ResourceList {
	u := corev1.ResourceList{
		corev1.ResourcePods:               resource.MustParse("1"),
		corev1.ResourceName("count/pods"): resource.MustParse("1"),
	}
	req := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	lim := resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{})
	for name, q := range req {
		u[corev1.ResourceName("requests."+string(name))] = q
		switch name {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
			u[name] = q
		}
	}
	for name, q := range lim {
		switch name {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
			u[corev1.ResourceName("limits."+string(name))] = q
		}
	}
	return u
}

// quotaApplies evaluates a quota's scopes for the pod. ok is false for
// scopes podlint cannot evaluate from the pod alone
// (CrossNamespacePodAffinity, VolumeAttributesClass); such quotas are
// skipped rather than guessed.
func quotaApplies(q *corev1.ResourceQuota, pod *corev1.Pod) (applies, ok bool) {
	bestEffort := true
	for _, c := range podContainers(pod, &Target{SpecPath: field.NewPath("spec")}) {
		if len(c.Container.Resources.Requests) > 0 || len(c.Container.Resources.Limits) > 0 {
			bestEffort = false
		}
	}
	match := func(scope corev1.ResourceQuotaScope, op corev1.ScopeSelectorOperator, values []string) (bool, bool) {
		switch scope {
		case corev1.ResourceQuotaScopeTerminating:
			return pod.Spec.ActiveDeadlineSeconds != nil, true
		case corev1.ResourceQuotaScopeNotTerminating:
			return pod.Spec.ActiveDeadlineSeconds == nil, true
		case corev1.ResourceQuotaScopeBestEffort:
			return bestEffort, true
		case corev1.ResourceQuotaScopeNotBestEffort:
			return !bestEffort, true
		case corev1.ResourceQuotaScopePriorityClass:
			pc := pod.Spec.PriorityClassName
			switch op {
			case corev1.ScopeSelectorOpExists:
				return pc != "", true
			case corev1.ScopeSelectorOpDoesNotExist:
				return pc == "", true
			case corev1.ScopeSelectorOpIn:
				return slices.Contains(values, pc), true
			case corev1.ScopeSelectorOpNotIn:
				return !slices.Contains(values, pc), true
			}
		}
		return false, false
	}
	for _, s := range q.Spec.Scopes {
		m, known := match(s, corev1.ScopeSelectorOpExists, nil)
		if !known {
			return false, false
		}
		if !m {
			return false, true
		}
	}
	if q.Spec.ScopeSelector != nil {
		for _, e := range q.Spec.ScopeSelector.MatchExpressions {
			m, known := match(e.ScopeName, e.Operator, e.Values)
			if !known {
				return false, false
			}
			if !m {
				return false, true
			}
		}
	}
	return true, true
}

func resourceQuotaViolation() *Check {
	return &Check{
		ID:       "resource-quota-violation",
		Title:    "A ResourceQuota refuses the pods",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "Once a ResourceQuota in the namespace tracks cpu or memory requests or limits, the " +
			"ResourceQuota admission plugin refuses every pod with a container that does not set them (\"must " +
			"specify limits.cpu for: app\"), after LimitRange defaults were applied. A pod whose own usage already " +
			"exceeds the quota's hard limit (requests.memory, pods, requests.nvidia.com/gpu, …) is refused " +
			"(\"exceeded quota\") however empty the namespace is. Both happen when the controller creates pods: " +
			"the workload is accepted and shows FailedCreate. Quotas with scopes podlint cannot evaluate from the " +
			"pod (CrossNamespacePodAffinity, VolumeAttributesClass) are skipped; Terminating, NotTerminating, " +
			"BestEffort, NotBestEffort and PriorityClass scopes are evaluated.",
		Uses:        policyUses("ResourceQuotas (and LimitRanges, whose defaults apply first)"),
		Remediation: "Set the requests and limits the quota tracks on every container (or a LimitRange default), and keep one pod's usage within the quota's hard limits.",
		Bad: `# ResourceQuota hard: limits.cpu, limits.memory
containers:
- name: app
  resources:
    requests: {cpu: 100m, memory: 128Mi}
`,
		Good: `containers:
- name: app
  resources:
    requests: {cpu: 100m, memory: 128Mi}
    limits: {cpu: 500m, memory: 128Mi}
`,
		Cluster: true,
		Run: func(p *Pass) {
			if p.Inv.ResourceQuotas == nil {
				return
			}
			t := p.Target
			quotas, pr := p.Inv.ResourceQuotas.ResourceQuotas(t.Namespace())
			if pr != Present || len(quotas) == 0 {
				return
			}
			pod := clusterPod(t)
			if p.Inv.LimitRanges != nil {
				if lrs, lpr := p.Inv.LimitRanges.LimitRanges(t.Namespace()); lpr == Present {
					applyLimitRanges(pod, t, lrs)
				}
			}
			usage := podQuotaUsage(pod)
			for _, q := range quotas {
				if applies, ok := quotaApplies(q, pod); !ok || !applies {
					continue
				}
				reportQuotaConstraints(p, q, pod)
				reportQuotaExceeded(p, q, usage)
			}
		},
	}
}

func reportQuotaConstraints(p *Pass, q *corev1.ResourceQuota, pod *corev1.Pod) {
	t := p.Target
	if resourcehelper.IsPodLevelResourcesSet(pod) {
		return
	}
	var required []corev1.ResourceName
	for _, name := range quotaValidationSet() {
		if _, ok := q.Spec.Hard[name]; ok {
			required = append(required, name)
		}
	}
	if len(required) == 0 {
		return
	}
	missing := map[corev1.ResourceName][]string{}
	var firstPath *field.Path
	var firstContainer string
	for _, c := range podContainers(pod, t) {
		have := containerQuotaNames(c.Container)
		for _, name := range required {
			if have[name] {
				continue
			}
			missing[name] = append(missing[name], c.Container.Name)
			if firstPath == nil {
				firstPath, firstContainer = c.Path.Child("resources"), c.Container.Name
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	var parts []string
	for _, name := range sortedNamesOf(missing) {
		names := slices.Clone(missing[name])
		slices.Sort(names)
		parts = append(parts, fmt.Sprintf("%s for: %s", name, strings.Join(slices.Compact(names), ",")))
	}
	p.Report(firstPath, firstContainer, "failed quota: %s: must specify %s%s%s", q.Name, strings.Join(parts, "; "),
		quotaOrigin(p, q, required[0]), refusedTail(t))
}

func sortedNamesOf(m map[corev1.ResourceName][]string) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func reportQuotaExceeded(p *Pass, q *corev1.ResourceQuota, usage corev1.ResourceList) {
	t := p.Target
	var requested, used, limited []string
	var first corev1.ResourceName
	for _, name := range sortedNames(q.Spec.Hard) {
		hard := q.Spec.Hard[name]
		u, ok := usage[name]
		if !ok || u.Cmp(hard) <= 0 {
			continue
		}
		if first == "" {
			first = name
		}
		requested = append(requested, fmt.Sprintf("%s=%s", name, u.String()))
		usedQ := q.Status.Used[name]
		used = append(used, fmt.Sprintf("%s=%s", name, usedQ.String()))
		limited = append(limited, fmt.Sprintf("%s=%s", name, hard.String()))
	}
	if first == "" {
		return
	}
	path, container := t.SpecPath, ""
	if s := string(first); strings.HasPrefix(s, "requests.") || strings.HasPrefix(s, "limits.") || first == corev1.ResourceCPU || first == corev1.ResourceMemory {
		name := corev1.ResourceName(s[strings.Index(s, ".")+1:])
		path, container = resourcePath(t, name)
	}
	p.Report(path, container, "exceeded quota: %s, requested: %s, used: %s, limited: %s%s; one pod alone is over the hard limit%s",
		q.Name, strings.Join(requested, ","), strings.Join(used, ","), strings.Join(limited, ","), quotaOrigin(p, q, first), refusedTail(t))
}

// quotaOrigin names the input file that holds the quota, pointing at its
// hard limit for name: " (ResourceQuota "q" at quota.yaml:9)", or "" for a
// quota from the cluster.
func quotaOrigin(p *Pass, q *corev1.ResourceQuota, name corev1.ResourceName) string {
	o := p.origin(q, field.NewPath("spec", "hard").Key(string(name)))
	if o == "" {
		return ""
	}
	return fmt.Sprintf(" (ResourceQuota %q%s)", q.Name, o)
}

func podSecurityViolation() *Check {
	// Building the evaluator inflates every check for every policy
	// version (milliseconds); it is immutable afterwards, so each Check
	// value builds it once, on first use. Engines hold their Check values
	// for their lifetime, so this is per engine, not package state.
	evaluator := sync.OnceValues(func() (psapolicy.Evaluator, error) {
		return psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	})
	return &Check{
		ID:       "pod-security-violation",
		Title:    "The namespace's Pod Security level refuses the pods",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "The PodSecurity admission plugin evaluates every pod against the level and version in its " +
			"namespace's pod-security.kubernetes.io/enforce and enforce-version labels (version latest when " +
			"unset) and refuses pods that violate it, with \"violates PodSecurity \\\"restricted:latest\\\": " +
			"allowPrivilegeEscalation != false (…)\". Workloads themselves are only warned about, so a Deployment " +
			"is accepted and then shows FailedCreate. The warn and audit labels only warn; podlint reports them " +
			"as warnings. Evaluated with k8s.io/pod-security-admission's own checks.",
		Uses: "The pod-security.kubernetes.io labels of the pod's Namespace: from a Namespace among the inputs (anywhere in the run: Namespaces are not namespaced), over " + fromCluster + ". " +
			"Copies of the Namespace with different Pod Security labels (two components of one repository) make them unknown, unless the cluster's copy matches one of them. " +
			namespaceUnknown + " The finding names the file and line of the label when it comes from an input. Silent when the Namespace is not known.",
		Remediation: "Make the pod meet the namespace's level (for restricted: runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities drop [ALL], seccompProfile RuntimeDefault), or run it in a namespace with a suitable level.",
		Bad: `# namespace label pod-security.kubernetes.io/enforce: restricted
containers:
- name: app
  image: nginx
`,
		Good: `securityContext:
  runAsNonRoot: true
  seccompProfile: {type: RuntimeDefault}
containers:
- name: app
  image: nginxinc/nginx-unprivileged
  securityContext:
    allowPrivilegeEscalation: false
    capabilities: {drop: [ALL]}
`,
		Cluster: true,
		Run: func(p *Pass) {
			if p.Inv.Namespaces == nil {
				return
			}
			t := p.Target
			ns, pr := p.Inv.Namespaces.Namespace(t.Namespace())
			if pr != Present || ns == nil {
				return
			}
			defaults := psaapi.Policy{
				Enforce: psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
				Audit:   psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
				Warn:    psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
			}
			// Invalid labels resolve the way the plugin resolves them
			// (enforce falls back to restricted), which is what
			// happens to the pods.
			pol, _ := psaapi.PolicyToEvaluate(ns.Labels, defaults)
			if pol.FullyPrivileged() {
				return
			}
			ev, err := evaluator()
			if err != nil {
				return
			}
			pod := clusterPod(t)
			evaluate := func(lv psaapi.LevelVersion) psapolicy.AggregateCheckResult {
				return psapolicy.AggregateCheckResults(ev.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec))
			}
			if res := evaluate(pol.Enforce); !res.Allowed {
				p.Report(t.SpecPath, "", "violates PodSecurity %q: %s (namespace %q label %s%s)%s",
					pol.Enforce.String(), res.ForbiddenDetail(), ns.Name, psaapi.EnforceLevelLabel,
					p.origin(ns, labelPath(psaapi.EnforceLevelLabel)), refusedTail(t))
				return
			}
			seen := []psaapi.LevelVersion{pol.Enforce}
			for _, m := range []struct {
				lv    psaapi.LevelVersion
				label string
			}{{pol.Warn, psaapi.WarnLevelLabel}, {pol.Audit, psaapi.AuditLevelLabel}} {
				if slices.ContainsFunc(seen, func(o psaapi.LevelVersion) bool { return m.lv.Equivalent(&o) }) {
					continue
				}
				seen = append(seen, m.lv)
				if res := evaluate(m.lv); !res.Allowed {
					p.ReportAs(Warning, t.SpecPath, "", "would violate PodSecurity %q: %s (namespace %q label %s%s); the pods are admitted for now",
						m.lv.String(), res.ForbiddenDetail(), ns.Name, m.label, p.origin(ns, labelPath(m.label)))
				}
			}
		},
	}
}

func labelPath(label string) *field.Path {
	return field.NewPath("metadata", "labels").Key(label)
}
