package checks

import (
	"fmt"
	"strings"
)

// Severity orders findings; the zero value is Info so that an unset severity
// never fails a build by accident.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// MarshalText makes severities read as words in JSON and YAML.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Symptom is the state a pod gets stuck in when the problem reaches the
// cluster. Users search for these words, so they are Kubernetes' own.
type Symptom string

// The stuck states podlint predicts.
const (
	Pending                    Symptom = "Pending"
	ContainerCreating          Symptom = "ContainerCreating"
	ImagePullBackOff           Symptom = "ImagePullBackOff"
	InvalidImageName           Symptom = "InvalidImageName"
	CrashLoopBackOff           Symptom = "CrashLoopBackOff"
	CreateContainerConfigError Symptom = "CreateContainerConfigError"
	FailedCreate               Symptom = "FailedCreate"
	ErrorState                 Symptom = "Error"
	Rejected                   Symptom = "Rejected"
)

// Explanation says what the stuck state looks like from kubectl, so that a
// reader can match a check to what they see; --explain and docs/checks.md
// print it under the check's stuck state. It is "" for a Symptom without
// a case here, which TestCatalogue refuses for every registered check.
func (s Symptom) Explanation() string {
	switch s {
	case Pending:
		return "the scheduler finds no node for the pod; kubectl get pods shows Pending and kubectl describe pod shows a FailedScheduling event saying why."
	case ContainerCreating:
		return "the pod is bound to a node but the kubelet cannot set up its sandbox, volumes or containers; it stays in ContainerCreating with FailedCreatePodSandBox, FailedMount or RunContainerError events."
	case ImagePullBackOff:
		return "the kubelet cannot pull the image (ErrImagePull) and retries with growing delays; the pod shows ImagePullBackOff."
	case InvalidImageName:
		return "the kubelet cannot parse the image reference, so it never tries to pull; the container stays waiting with reason InvalidImageName."
	case CrashLoopBackOff:
		return "the container starts and exits (or is killed) again and again; the kubelet restarts it with growing delays and the pod shows CrashLoopBackOff."
	case CreateContainerConfigError:
		return "the kubelet cannot assemble the container's configuration (a missing Secret, ConfigMap or key); the container stays waiting with reason CreateContainerConfigError."
	case FailedCreate:
		return "the controller (ReplicaSet, DaemonSet, Job, StatefulSet) asks for pods and the API server refuses them; no pod appears and kubectl describe on the owner shows FailedCreate events."
	case ErrorState:
		return "the container cannot start at all or ends in error; the pod shows Error or RunContainerError."
	case Rejected:
		return "the API server refuses the object itself, so kubectl apply fails and nothing is created."
	}
	return ""
}

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (o ObjectRef) String() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// Finding is one problem, located by field path. Adapters turn the path into
// a file position (lint) or a denial cause (webhook).
type Finding struct {
	Check       string    `json:"check"`
	Severity    Severity  `json:"severity"`
	Object      ObjectRef `json:"object"`
	Container   string    `json:"container,omitempty"`
	Field       string    `json:"field"`
	Message     string    `json:"message"`
	Symptom     Symptom   `json:"symptom"`
	Remediation string    `json:"remediation"`
	// Line and Column, when set, place the finding more precisely than
	// Field can (schema-invalid's duplicate keys share one path). Adapters
	// prefer them over mapping Field to a position.
	Line   int `json:"-"`
	Column int `json:"-"`
	// Pair is set on a finding about a conflict between two objects
	// (host-port-conflict): both objects' findings carry the same key, so
	// a report of many objects keeps one of them. A check that runs on one
	// object at a time (the webhook) ignores it.
	Pair string `json:"-"`
}
