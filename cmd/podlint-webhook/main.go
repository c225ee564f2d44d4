// Command podlint-webhook runs podlint's checks as a Kubernetes validating
// admission webhook. See the README's "Admission webhook" section.
package main

import (
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/podlint/podlint/webhook"
)

func main() {
	os.Exit(webhook.Main(ctrl.SetupSignalHandler(), os.Args[1:], os.Stderr))
}
