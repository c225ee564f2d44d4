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

// capsPlaceholder finds words written in capitals only (PROJECT_ID,
// REGION, CONTAINER_IMAGE), which image references never contain.
var capsPlaceholder = regexp.MustCompile(`\b[A-Z][A-Z0-9_]*[A-Z0-9]\b`)

// wholeCapsPlaceholder is a value that is one capitalised word
// (REPLACE_TOKEN, CRT, CHANGE_ME): never real base64 data or a name.
var wholeCapsPlaceholder = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// Placeholder tells whether s looks like template syntax that was never
// rendered: $VAR, ${VAR}, <VALUE>, {{ .Values.x }}, a value written as one
// capitalised word such as REPLACE_TOKEN, or documentation's "...your
// data...". The decoder uses it to explain a value that is not what its
// field needs.
func Placeholder(s string) bool {
	s = strings.TrimSpace(s)
	return placeholderPattern.MatchString(s) || wholeCapsPlaceholder.MatchString(s) || strings.Contains(s, "...")
}

// koPrefix marks a ko build reference (ko://github.com/org/repo/cmd/x):
// ko resolve and ko apply build that Go package, push the image and write
// its reference in place of this one.
const koPrefix = "ko://"

// parseImage parses an image reference exactly as the kubelet does before
// pulling (pkg/util/parsers.ParseImageName).
func parseImage(image string) (reference.Named, error) {
	return reference.ParseNormalizedNamed(image)
}

type imageKey struct{ image string }

type parsedImage struct {
	domain string
	err    error
}

// imageDomain is the registry an image is pulled from, or why the kubelet
// cannot parse the image, computed once per target for the checks that
// ask. The usual shapes are read by hand (quickImageDomain); the rest by
// distribution/reference, as the kubelet does.
func imageDomain(p *Pass, image string) (string, error) {
	r := p.Shared(imageKey{image}, func() any {
		if d, ok := quickImageDomain(image); ok {
			return parsedImage{domain: d}
		}
		n, err := parseImage(image)
		if err != nil {
			return parsedImage{err: err}
		}
		return parsedImage{domain: reference.Domain(n)}
	}).(parsedImage)
	return r.domain, r.err
}

// imageProblem explains why the kubelet cannot parse image, or returns "".
func imageProblem(p *Pass, image string) string {
	if image == "" {
		return "image is empty; the API server rejects a container without an image, and the kubelet has nothing to pull"
	}
	_, err := imageDomain(p, image)
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
	// Documentation placeholders are often bare capitals (PROJECT_ID,
	// REGION-docker.pkg.dev); they fail as an upper-case repository, but
	// "must be lowercase" would send the reader the wrong way.
	if caps := capsPlaceholder.FindAllString(image, -1); len(caps) > 0 {
		quoted := make([]string, len(caps))
		for i, c := range caps {
			quoted[i] = strconv.Quote(c)
		}
		what := "which looks like an unrendered placeholder"
		if len(caps) > 1 {
			what = "which look like unrendered placeholders"
		}
		return fmt.Sprintf("image %q contains %s, %s; the kubelet cannot parse it as an image reference", image, strings.Join(quoted, " and "), what)
	}
	reason := strings.TrimPrefix(err.Error(), "invalid reference format: ")
	return fmt.Sprintf("image %q is not a valid image reference (%s); the kubelet refuses to pull it", image, reason)
}

func imageNameInvalid() *Check {
	return &Check{
		ID:       "image-name-invalid",
		Title:    "Image reference the kubelet cannot parse",
		Severity: Error,
		Symptom:  InvalidImageName,
		Description: `Before pulling, the kubelet parses each image with the same normalising parser as Docker and containerd (github.com/distribution/reference). ` +
			`A reference it cannot parse — empty, an upper-case repository, whitespace, a bad tag or digest, or an unrendered template placeholder such as $IMAGE, ${TAG}, <PROJECT_ID> or {{ .Values.image }} — ` +
			`is never pulled: the container waits with reason InvalidImageName and the pod never starts. Init, sidecar and ephemeral containers are checked too. ` +
			`A ko build reference (ko://github.com/org/repo/cmd/app) is resolved by ko resolve or ko apply before the manifest reaches the cluster; it is only noted, as info.`,
		Remediation: `Write a valid reference such as "registry.example.com/team/app:1.2.3"; render templates before applying and keep repository names lower-case.`,
		Bad: `containers:
- name: app
  image: gcr.io/<PROJECT_ID>/app:${TAG}`,
		Good: `containers:
- name: app
  image: gcr.io/acme-prod/app:1.4.2`,
		Run: func(p *Pass) {
			t := p.Target
			for _, c := range t.Containers() {
				path := c.Path.Child("image")
				if c.Container.Image == "" && t.Raw != nil {
					// An image key that is not written at all marks a
					// fragment (a kustomize patch) more often than a
					// manifest; the API server rejects a complete one
					// with "Required value" anyway. An empty value that
					// is written (an unset Helm value) is reported.
					if _, written := t.Raw.Scalar(path); !written {
						continue
					}
				}
				if strings.HasPrefix(c.Container.Image, koPrefix) {
					// Not a mistake when the manifests go through ko;
					// worth a note for anyone applying them with kubectl.
					p.ReportAs(Info, path, c.Container.Name,
						"image %q is a ko build reference: ko resolve or ko apply replaces it with the image it builds and pushes, so it is not checked; applied as is with kubectl, the kubelet cannot parse it (InvalidImageName)",
						c.Container.Image)
					continue
				}
				if msg := imageProblem(p, c.Container.Image); msg != "" {
					p.Report(path, c.Container.Name, "%s", msg)
				}
			}
		},
	}
}
