package certs

import (
	"crypto/x509"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Secret keys. tls.crt and tls.key are the kubernetes.io/tls names, so the
// Secret also works for anything that mounts it.
const (
	keyCACert  = "ca.crt"
	keyCAKey   = "ca.key"
	keyTLSCert = corev1.TLSCertKey
	keyTLSKey  = corev1.TLSPrivateKeyKey

	// Annotations on the Secret that time the steps of a CA rotation, so
	// that whichever replica wins the next write knows where it stands.
	annCARotatedAt     = "podlint.io/ca-rotated-at"
	annServingIssuedAt = "podlint.io/serving-issued-at"
)

// state is what the Secret holds, parsed. Missing or broken parts are nil.
type state struct {
	// bundle is ca.crt: every CA the API server must trust.
	bundle []*x509.Certificate
	// signer is the CA in bundle whose key is ca.key; new serving
	// certificates are issued by it.
	signer *keyPair
	// serving is tls.crt / tls.key.
	serving *keyPair

	caRotatedAt     time.Time
	servingIssuedAt time.Time
}

func parseState(s *corev1.Secret) *state {
	st := &state{}
	if s == nil {
		return st
	}
	if b, err := parseBundle(s.Data[keyCACert]); err == nil {
		st.bundle = b
	}
	for _, c := range st.bundle {
		if kp, err := parseKeyPair(encodeBundle([]*x509.Certificate{c}), s.Data[keyCAKey]); err == nil && c.IsCA {
			st.signer = kp
			break
		}
	}
	if kp, err := parseKeyPair(s.Data[keyTLSCert], s.Data[keyTLSKey]); err == nil {
		st.serving = kp
	}
	st.caRotatedAt, _ = time.Parse(time.RFC3339Nano, s.Annotations[annCARotatedAt])
	st.servingIssuedAt, _ = time.Parse(time.RFC3339Nano, s.Annotations[annServingIssuedAt])
	return st
}

// action is the one write a reconcile makes.
type action int

const (
	actNone action = iota
	// actNewCA replaces an unusable CA at once, and the serving
	// certificate with it: there is nothing safe to wait for.
	actNewCA
	// actRotateCA adds a new CA next to the current one; the serving
	// certificate stays until the bundle has spread.
	actRotateCA
	// actIssueServing issues a serving certificate from the signer.
	actIssueServing
	// actDropOldCAs shrinks the bundle to the signer.
	actDropOldCAs
)

func (a action) String() string {
	return [...]string{"none", "new-ca", "rotate-ca", "issue-serving", "drop-old-cas"}[a]
}

// plan decides the next write. injected tells whether every API server
// consumer of caBundle (the webhook configuration) already trusts the
// signer; a missing configuration counts as injected.
func plan(st *state, now time.Time, o *Options, injected bool) (action, string) {
	if st.signer == nil {
		return actNewCA, "no usable CA in the secret"
	}
	ca := st.signer.Cert
	if !now.Before(ca.NotAfter) {
		return actNewCA, "CA expired"
	}
	if ca.NotAfter.Sub(now) < o.CARotateBefore {
		return actRotateCA, "CA expires " + ca.NotAfter.UTC().Format(time.RFC3339)
	}
	if st.serving == nil {
		return actIssueServing, "no usable serving certificate in the secret"
	}
	leaf := st.serving.Cert
	names := o.names()
	if n := missingName(leaf, names); n != "" {
		return actIssueServing, "serving certificate does not name " + n
	}
	if err := verifies(leaf, st.bundle, names[0], now); err != nil {
		return actIssueServing, "serving certificate does not verify against ca.crt: " + err.Error()
	}
	left := leaf.NotAfter.Sub(now)
	if !signedBy(leaf, ca) {
		// Mid CA rotation: the serving certificate still comes from the
		// old CA. Switch once the new CA has had Overlap to reach every
		// API server, or at once if waiting would outlive the certificate.
		if left < o.Overlap {
			return actIssueServing, "serving certificate from the old CA expires before the overlap ends"
		}
		if injected && now.Sub(st.caRotatedAt) >= o.Overlap {
			return actIssueServing, "switching serving certificate to the new CA"
		}
		return actNone, "waiting for the new CA to spread"
	}
	if left < o.RotateBefore {
		return actIssueServing, "serving certificate expires " + leaf.NotAfter.UTC().Format(time.RFC3339)
	}
	if len(st.bundle) > 1 && now.Sub(st.servingIssuedAt) >= o.Overlap {
		return actDropOldCAs, "every replica has had time to switch to the new CA"
	}
	if len(mergeBundle(now, st.bundle)) != len(st.bundle) {
		return actDropOldCAs, "ca.crt holds an expired CA"
	}
	return actNone, ""
}
