package precommit

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/test/need"
)

const badManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
      - name: cart
        image: registry.k8s.io/pause:3.10
        resources:
          limits:
            memory: 1024m
`

// TestPreCommitHook installs podlint through pre-commit exactly as a user
// would (language golang: pre-commit clones the repository at a revision
// and runs go install ./...), then checks that a commit with a broken
// manifest is refused and a fixed one passes.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds podlint through pre-commit; skipped with -short")
	}
	need.Program(t, "pre-commit", "apt-get install pre-commit; .ci/run installs it")
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is required: %v", err)
	}

	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	env := testEnv(t, tmp)

	// The hook repository is a fresh git repository holding the current
	// source tree, so the test covers uncommitted changes and works from
	// a tarball as well as from a clone.
	hookRepo := filepath.Join(tmp, "hook-repo")
	copyTree(t, root, hookRepo)
	git(t, env, hookRepo, "init", "-q")
	git(t, env, hookRepo, "add", "-A")
	git(t, env, hookRepo, "commit", "-q", "-m", "podlint under test")
	rev := strings.TrimSpace(git(t, env, hookRepo, "rev-parse", "HEAD"))

	project := filepath.Join(tmp, "project")
	writeFile(t, filepath.Join(project, "deploy", "cart.yaml"), badManifest)
	writeFile(t, filepath.Join(project, "README.md"), "not a manifest\n")
	writeFile(t, filepath.Join(project, ".pre-commit-config.yaml"),
		"repos:\n- repo: "+hookRepo+"\n  rev: "+rev+"\n  hooks:\n  - id: podlint\n")
	git(t, env, project, "init", "-q")
	git(t, env, project, "add", "-A")

	out, err := preCommit(t, env, project)
	if err == nil {
		t.Fatalf("pre-commit passed on a manifest with memory: 1024m; output:\n%s", out)
	}
	for _, want := range []string{"podlint", "Failed", "deploy/cart.yaml:17:21: error: ", "[memory-unit-milli]"} {
		if !strings.Contains(out, want) {
			t.Errorf("pre-commit output lacks %q:\n%s", want, out)
		}
	}

	writeFile(t, filepath.Join(project, "deploy", "cart.yaml"), strings.Replace(badManifest, "1024m", "1024Mi", 1))
	git(t, env, project, "add", "-A")
	if out, err := preCommit(t, env, project); err != nil {
		t.Fatalf("pre-commit failed on the fixed manifest: %v\n%s", err, out)
	} else if !strings.Contains(out, "Passed") {
		t.Errorf("pre-commit output lacks Passed:\n%s", out)
	}
}

// testEnv isolates pre-commit's cache and git's identity, and shares the
// module cache so the hook build does not download everything again.
func testEnv(t *testing.T, tmp string) []string {
	t.Helper()
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-cache"),
		"GOMODCACHE="+strings.TrimSpace(string(modcache)),
		"GIT_AUTHOR_NAME=podlint test", "GIT_AUTHOR_EMAIL=test@podlint.invalid",
		"GIT_COMMITTER_NAME=podlint test", "GIT_COMMITTER_EMAIL=test@podlint.invalid",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"NO_COLOR=1",
	)
}

func preCommit(t *testing.T, env []string, dir string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "pre-commit", "run", "--all-files", "--color", "never")
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func git(t *testing.T, env []string, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the module's sources: hidden directories (.git) and
// build outputs (bin/, *.test) stay behind.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || rel == "bin") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		// In a git worktree .git is a file, not a directory: copied, it
		// would make the test's git commands act on the real repository.
		if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".test") || d.Name() == ".git" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the source tree: %v", err)
	}
}
