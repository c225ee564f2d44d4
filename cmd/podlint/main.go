// Command podlint finds manifest mistakes that leave pods stuck. The logic
// lives in package cli; see README.md.
package main

import (
	"context"
	"os"

	"github.com/podlint/podlint/lint/cli"
)

func main() {
	ctx, stop := cli.NotifySignals(context.Background(), os.Stderr, cli.InterruptGrace)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
