// Package kustomize renders the kustomizations of a lint run in-process,
// the way `kubectl kustomize` does, and places every finding on a rendered
// object where the user must edit: the file and line where the offending
// value is written.
//
// A Plan is made from the kustomization directories a run met (given as a
// path or found while walking). It reads every kustomization reachable
// from them, without rendering, to learn three things: which of them are
// top-level (a base used by an overlay of the same run is linted through
// that overlay, never on its own), which files the top-level ones consume
// (resources, patches, components, generator sources: they are not linted
// again file by file), and which reference something remote. Remote bases
// and files are never fetched: podlint works offline, so such a
// kustomization is one error at the line of the URL, and the rest of the
// run goes on.
//
// Render builds one top-level kustomization with sigs.k8s.io/kustomize/api
// (krusty) on the real file system, with plugins, exec functions and Helm
// disabled and loading restricted to the kustomization's root, as kubectl
// does; it reads regular files only, each within the run's size cap, and
// writes nothing. Each render is its own apply (kubectl apply -k): its
// objects carry the kustomization directory as their Group, which the
// linter makes the render's apply group, so that the namespace-less
// objects of overlays/dev and overlays/prod never meet. A file named
// kustomization.yaml whose apiVersion is not kustomize's (a Flux
// Kustomization) is not a kustomization.
//
// Positions: the top kustomization is read with buildMetadata
// [originAnnotations, transformerAnnotations] added, so that kustomize
// annotates each object with the file it came from and the transformers
// (with their kustomization files, in order) that ran over it. The
// annotations are taken off before linting. A finding's field path is then
// looked up backwards through those transformers, last first: a patch
// (strategic merge or JSON 6902, in a file or inline) that writes the same
// value at that path, a transformer entry that produced it (images,
// replicas, namespace, namePrefix, labels...) at its line in the
// kustomization file, and finally the origin resource file. A position is
// only claimed when the value written there is the rendered value; when no
// source can be checked, the finding goes to the top kustomization file
// with the object's identity in its message.
package kustomize
