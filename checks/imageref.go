package checks

import "strings"

// quickImageDomain reads the registry of an image reference of the usual
// shapes — [registry[:port]/]path[:tag][@sha256:hex] in lower case — by
// hand, and reports false for anything else, which then goes to
// distribution/reference (parseImage). Every review parses each image, and
// the reference grammar is one large regexp: a tenth of a review's CPU.
// When it reports true, reference.ParseNormalizedNamed accepts the image
// and reference.Domain of the result is the domain it returns
// (FuzzQuickImageDomain holds it to that).
func quickImageDomain(image string) (string, bool) {
	name := image
	if at := strings.IndexByte(name, '@'); at >= 0 {
		if !isSHA256Digest(name[at+1:]) {
			return "", false
		}
		name = name[:at]
	}
	if c := strings.LastIndexByte(name, ':'); c > strings.LastIndexByte(name, '/') {
		if !isTag(name[c+1:]) {
			return "", false
		}
		name = name[:c]
	}
	domain, path := "docker.io", name
	if first, rest, ok := strings.Cut(name, "/"); ok {
		switch {
		case first == "localhost" || strings.ContainsAny(first, ".:"):
			if first == "index.docker.io" || !isRegistryHost(first) {
				return "", false
			}
			domain, path = first, rest
		case strings.ToLower(first) != first:
			return "", false // taken as a registry; rare enough for the slow path
		}
	} else if isHex64(name) {
		return "", false // a bare image ID, which the reference grammar refuses
	}
	if !isRepositoryPath(path) {
		return "", false
	}
	n := len(path)
	if domain == "docker.io" && !strings.Contains(path, "/") {
		n += len("library/")
	}
	return domain, n <= 255
}

// isRepositoryPath: components of [a-z0-9]+ joined by ".", "_", "__" or
// runs of "-", separated by "/".
func isRepositoryPath(p string) bool {
	for comp := range strings.SplitSeq(p, "/") {
		if comp == "" || !isAlnum(comp[0]) || !isAlnum(comp[len(comp)-1]) {
			return false
		}
		for i := 0; i < len(comp); {
			if isAlnum(comp[i]) {
				i++
				continue
			}
			j := i
			for j < len(comp) && !isAlnum(comp[j]) {
				j++
			}
			if sep := comp[i:j]; sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "" {
				return false
			}
			i = j
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// isRegistryHost: dot-separated labels of letters, digits and inner
// hyphens, then an optional :port. IPv6 literals go to the slow path.
func isRegistryHost(h string) bool {
	host, port, hasPort := strings.Cut(h, ":")
	if hasPort && (port == "" || strings.Trim(port, "0123456789") != "") {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			if c := label[i]; !(isAlnum(c) || c >= 'A' && c <= 'Z' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isTag: [\w][\w.-]{0,127}.
func isTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for i := range len(t) {
		if c := t[i]; !(isAlnum(c) || c >= 'A' && c <= 'Z' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func isSHA256Digest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	return ok && isHex64(hex)
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
