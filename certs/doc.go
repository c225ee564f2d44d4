// Package certs provides the podlint webhook's serving certificate.
//
// Two sources implement the same shape (Source): GetCertificate for
// tls.Config, Ready for the readiness probe, and a manager.Runnable that
// keeps the certificate current.
//
//   - SelfManaged generates a CA and a serving certificate, keeps them in
//     podlint's own Secret, injects the CA into podlint's
//     ValidatingWebhookConfiguration and serves the certificate from memory,
//     so a rotation needs neither a restart nor the kubelet's refresh of a
//     mounted Secret. Every replica runs it (no leader election): writes go
//     through optimistic concurrency on the Secret, so exactly one write of
//     each rotation wins and the other replicas follow what the Secret holds.
//   - External serves tls.crt / tls.key from a directory written by someone
//     else (cert-manager) and reloads them when they change.
//
// CA rotation never breaks a TLS handshake: the new CA is added to caBundle
// next to the old one, the serving certificate switches only after every
// API server has had time to see the new bundle, and the old CA is dropped
// only after every replica has had time to switch.
package certs
