// Package informers feeds a cluster.Store from controller-runtime informer
// caches: the podlint webhook's source of cluster knowledge. Every request
// is answered from memory; no API call is made while a request waits.
//
// A kind counts as known only once its informer has listed it completely,
// so that "not found" is never a guess made during start-up. ConfigMaps,
// PersistentVolumeClaims and Secrets are watched as metadata only; Secret
// types come from field-selected metadata watches, so podlint never holds
// a Secret's data.
package informers
