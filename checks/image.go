package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/distribution/reference"
)

// placeholderPattern finds template syntax that was never rendered: shell
// and envsubst ($IMAGE, ${TAG}), documentation (<PROJECT_ID>) and Go/Helm
// templates ({{ .Values.image }}). None of these characters may appear in
// an image reference, so a match always explains the parse failure.
var placeholderPattern = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]*>|\{\{.*?\}\}|\{\{.*`)

// parseImage parses an image reference exactly as the kubelet does before
// pulling (pkg/util/parsers.ParseImageName).
func parseImage(image string) (reference.Named, error) {
	return reference.ParseNormalizedNamed(image)
}

// imageProblem explains why the kubelet cannot parse image, or returns "".
func imageProblem(image string) string {
	if image == "" {
		return "image is empty; the API server rejects a container without an image, and the kubelet has nothing to pull"
	}
	_, err := parseImage(image)
	if err == nil {
		return ""
	}
	if phs := placeholderPattern.FindAllString(image, -1); len(phs) > 0 {
		quoted := make([]string, len(phs))
		for i, ph := range phs {
			quoted[i] = strconv.Quote(ph)
		}
		noun := "placeholder"
		if len(phs) > 1 {
			noun = "placeholders"
		}
		return fmt.Sprintf("image %q contains the unrendered template %s %s; the kubelet cannot parse it as an image reference", image, noun, strings.Join(quoted, " and "))
	}
	if i := strings.IndexFunc(image, unicode.IsSpace); i >= 0 {
		return fmt.Sprintf("image %q contains whitespace; the kubelet cannot parse it as an image reference", image)
	}
	reason := strings.TrimPrefix(err.Error(), "invalid reference format: ")
	return fmt.Sprintf("image %q is not a valid image reference (%s); the kubelet refuses to pull it", image, reason)
}

func imageNameInvalidCheck() *Check {
	return &Check{
		ID:       "image-name-invalid",
		Title:    "Image reference the kubelet cannot parse",
		Severity: Error,
		Symptom:  InvalidImageName,
		Description: `Before pulling, the kubelet parses each image with the same normalising parser as Docker and containerd (github.com/distribution/reference). ` +
			`A reference it cannot parse — empty, an upper-case repository, whitespace, a bad tag or digest, or an unrendered template placeholder such as $IMAGE, ${TAG}, <PROJECT_ID> or {{ .Values.image }} — ` +
			`is never pulled: the container waits with reason InvalidImageName and the pod never starts. Init, sidecar and ephemeral containers are checked too.`,
		Remediation: `Write a valid reference such as "registry.example.com/team/app:1.2.3"; render templates before applying and keep repository names lower-case.`,
		Bad: `containers:
- name: app
  image: gcr.io/<PROJECT_ID>/app:${TAG}`,
		Good: `containers:
- name: app
  image: gcr.io/acme-prod/app:1.4.2`,
		Run: func(p *Pass) {
			for _, c := range p.Target.Containers() {
				if msg := imageProblem(c.Container.Image); msg != "" {
					p.Report(c.Path.Child("image"), c.Container.Name, "%s", msg)
				}
			}
		},
	}
}
