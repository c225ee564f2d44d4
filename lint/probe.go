package lint

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
)

// probe is the inventory the checks see while the stream is still being
// read. What only the cluster feeds (Nodes, Pods) is final already and
// comes from the cluster; every question the inputs may still change the
// answer to sets asked and gets the answer for "nothing known", and the
// check that asked runs again once every input is read
// (checks.Engine.RunTargetProbe). A check that asks nothing of the inputs
// — most of them, on most objects — is settled as the object is read.
type probe struct {
	asked bool
}

func (p *probe) inventory(base checks.Inventory) checks.Inventory {
	inv := base
	inv.ServiceAccounts = p
	inv.Secrets = p
	inv.ConfigMaps = p
	inv.ConfigMapKeys = p
	inv.PriorityClasses = p
	inv.RuntimeClasses = p
	inv.StorageClasses = p
	inv.PVCs = p
	inv.PVCUses = p
	inv.Namespaces = p
	inv.HostPorts = p
	inv.LimitRanges = p
	inv.ResourceQuotas = p
	inv.PodLabels = p
	inv.Origins = p
	return inv
}

func (p *probe) ServiceAccount(string, string) (*corev1.ServiceAccount, checks.Presence) {
	p.asked = true
	return nil, checks.Unknown
}

func (p *probe) Secret(string, string) (*checks.SecretMeta, checks.Presence) {
	p.asked = true
	return nil, checks.Unknown
}

func (p *probe) ConfigMap(string, string) checks.Presence {
	p.asked = true
	return checks.Unknown
}

func (p *probe) ConfigMapKeys(string, string) (map[string]bool, bool) {
	p.asked = true
	return nil, false
}

func (p *probe) PriorityClass(string) checks.Presence {
	p.asked = true
	return checks.Unknown
}

func (p *probe) RuntimeClass(string) checks.Presence {
	p.asked = true
	return checks.Unknown
}

func (p *probe) StorageClass(string) checks.Presence {
	p.asked = true
	return checks.Unknown
}

func (p *probe) DefaultStorageClass() (bool, bool) {
	p.asked = true
	return false, false
}

func (p *probe) PersistentVolumeClaim(string, string) checks.Presence {
	p.asked = true
	return checks.Unknown
}

func (p *probe) PVCAccessModes(string, string) ([]corev1.PersistentVolumeAccessMode, bool) {
	p.asked = true
	return nil, false
}

func (p *probe) ClaimUsers(string, string) []*checks.Target {
	p.asked = true
	return nil
}

func (p *probe) Namespace(string) (*corev1.Namespace, checks.Presence) {
	p.asked = true
	return nil, checks.Unknown
}

func (p *probe) HostPortClaims(int32, corev1.Protocol) []*checks.Target {
	p.asked = true
	return nil
}

func (p *probe) LimitRanges(string) ([]*corev1.LimitRange, checks.Presence) {
	p.asked = true
	return nil, checks.Unknown
}

func (p *probe) ResourceQuotas(string) ([]*corev1.ResourceQuota, checks.Presence) {
	p.asked = true
	return nil, checks.Unknown
}

func (p *probe) Origin(any, *field.Path) string {
	p.asked = true
	return ""
}

func (p *probe) PodsMatch(checks.PodScope, labels.Selector, checks.ObjectRef) checks.Presence {
	p.asked = true
	return checks.Unknown
}
