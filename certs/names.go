package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ValidateNames checks names meant for a serving certificate: each must be
// an IP address (it goes into the IP SANs) or a DNS name a TLS client can
// match, RFC 1123 with at most one leading "*." wildcard label. A name
// that is neither would be issued, fail every hostname check and be
// re-issued on every reconcile, so it is refused up front.
func ValidateNames(names []string) error {
	var errs []error
	for _, n := range names {
		if err := validateName(n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func validateName(n string) error {
	if n == "" {
		return errors.New("empty name")
	}
	if net.ParseIP(n) != nil {
		return nil
	}
	if strings.HasPrefix(n, "[") || strings.Contains(n, "%") {
		return fmt.Errorf("%q: not a DNS name; write an IP address without brackets or zone", n)
	}
	lower := strings.ToLower(n)
	var msgs []string
	if strings.HasPrefix(lower, "*.") {
		msgs = validation.IsWildcardDNS1123Subdomain(lower)
	} else {
		msgs = validation.IsDNS1123Subdomain(lower)
	}
	if len(msgs) == 0 {
		for _, label := range strings.Split(strings.TrimPrefix(lower, "*."), ".") {
			if len(label) > validation.DNS1123LabelMaxLength {
				msgs = append(msgs, fmt.Sprintf("label %q is longer than %d characters", label, validation.DNS1123LabelMaxLength))
			}
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%q is neither an IP address nor a valid DNS name: %s", n, strings.Join(msgs, "; "))
	}
	return nil
}

// splitNames separates IP addresses from DNS names (lower-cased, as
// certificates compare them), keeping the order of each and dropping
// repeats.
func splitNames(names []string) (dns []string, ips []net.IP) {
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
			continue
		}
		if l := strings.ToLower(n); !slices.Contains(dns, l) {
			dns = append(dns, l)
		}
	}
	return dns, ips
}

// missingName returns the first of names the certificate does not carry
// literally in its SANs ("" when it carries them all). Literal, not
// VerifyHostname: VerifyHostname cannot be asked about a wildcard name,
// and a check that can never pass makes every reconcile re-issue.
func missingName(leaf *x509.Certificate, names []string) string {
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
				return n
			}
			continue
		}
		if !slices.ContainsFunc(leaf.DNSNames, func(s string) bool { return strings.EqualFold(s, n) }) {
			return n
		}
	}
	return ""
}
