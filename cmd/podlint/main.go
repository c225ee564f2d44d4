// Command podlint finds manifest mistakes that leave pods stuck. The logic
// lives in package cli; see README.md.
package main

import (
	"context"
	"os"

	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/cli"
	whycli "github.com/podlint/podlint/why/cli"
)

func main() {
	lint.TuneGC()
	ctx, stop := cli.NotifySignals(context.Background(), os.Stderr, cli.InterruptGrace)
	run, args := cli.Main, os.Args[1:]
	if len(args) > 0 && args[0] == "why" { // podlint why ..., kubectl podlint why ...
		run, args = whycli.Main, args[1:]
	}
	code := run(ctx, args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
