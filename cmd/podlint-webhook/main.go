// Command podlint-webhook runs podlint's checks as a Kubernetes validating
// admission webhook. See the README's "Admission webhook" section.
package main

import (
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/podlint/podlint/version"
	"github.com/podlint/podlint/webhook"
)

func main() {
	// --version is answered here, before the webhook's flags are parsed and
	// before anything looks for a cluster, so an image can be asked which
	// release it holds: docker run IMAGE --version.
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println("podlint-webhook", version.String())
		return
	}
	os.Exit(webhook.Main(ctrl.SetupSignalHandler(), os.Args[1:], os.Stderr))
}
